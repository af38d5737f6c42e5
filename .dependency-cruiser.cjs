/**
 * The layering's arrows, checked in `npm test` (test/architecture/layering.test.ts).
 *
 *   kernel  <-  toolkit (src/platform, src/dev)  <-  contexts  <-  their routes  <-  src/service (pairs them)
 *   kernel  <-  contracts                        <-  contexts
 *   examples  ->  the package's public paths only (`herald`, `herald/*`)
 *
 * Each rule forbids one arrow, so a violation names the arrow it breaks. Paths are relative to the
 * repository root; `$1` in a `to` refers to the first group captured by the rule's `from.path`.
 */

const { builtinModules } = require('node:module')

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

const CONTEXTS = ['ordering', 'catalog', 'payment', 'notifications']
const anyContext = CONTEXTS.join('|')

/** A context's code, routes and tables: `src/<c>/`, `routes/<c>/` or `routes/<c>.ts`, `drizzle/<c>/`. */
const contextCode = `^(?:src|routes|drizzle)/(${anyContext})(?:/|\\.ts$)`
/** The same, for one named context (`$1` inside a `to`). */
const ownContextCode = (name) => `^(?:src|routes|drizzle)/${name}(?:/|\\.ts$)`

/** Herald's own code, wherever it lives (everything a rule could point at that is not a package). */
const heraldCode = '^(?:src|routes|drizzle|examples|scripts)/'

/** Modules that tie code to a runtime; the kernel runs everywhere, so it uses none of them. */
const runtimeModule = [
  // dependency-cruiser reports `node:fs` as `fs`, so match Node's built-ins by name.
  `^(?:${builtinModules.map(escapeRegExp).join('|')})$`,
  '^(?:bun|bun:.+|cloudflare:.+)$',
  '(?:^|/)node_modules/(?:@libsql|@upstash|hono|@hono)/',
]

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'kernel-imports-only-kernel',
      comment: 'src/kernel is the runtime-free core: it imports nothing of Herald outside itself.',
      severity: 'error',
      from: { path: '^src/kernel/' },
      to: { path: heraldCode, pathNot: '^src/kernel/' },
    },
    {
      name: 'kernel-no-runtime-modules',
      comment: 'src/kernel imports no runtime module (node:*, bun, cloudflare:*, @libsql, @upstash, hono).',
      severity: 'error',
      from: { path: '^src/kernel/' },
      to: { path: runtimeModule },
    },
    {
      name: 'kernel-no-packages-but-zod',
      comment: 'src/kernel imports nothing but zod.',
      severity: 'error',
      from: { path: '^src/kernel/' },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg', 'npm-unknown', 'core'],
        pathNot: ['(?:^|/)node_modules/zod/', ...runtimeModule],
      },
    },
    {
      name: 'toolkit-not-to-contexts',
      comment: 'The toolkit (src/platform, src/dev) never imports a context, its routes or its tables.',
      severity: 'error',
      from: { path: '^src/(?:platform|dev)/' },
      to: { path: [contextCode, '^routes/'] },
    },
    {
      name: 'toolkit-not-to-contracts',
      comment: "The toolkit never imports the reference service's published contracts (src/contracts).",
      severity: 'error',
      from: { path: '^src/(?:platform|dev)/' },
      to: { path: '^src/contracts/' },
    },
    {
      name: 'toolkit-not-to-service',
      comment: 'The toolkit never imports the reference service (src/service), the composition root.',
      severity: 'error',
      from: { path: '^src/(?:platform|dev)/' },
      to: { path: '^src/service/' },
    },
    {
      name: 'toolkit-not-to-apps',
      comment: 'The toolkit never imports the applications built on it (examples/, scripts/).',
      severity: 'error',
      from: { path: '^src/(?:platform|dev)/' },
      to: { path: '^(?:examples|scripts)/' },
    },
    {
      name: 'dev-broker-not-to-platform',
      comment: 'The local broker (src/dev) stands alone beside the rest of the toolkit: it never imports src/platform.',
      severity: 'error',
      from: { path: '^src/dev/' },
      to: { path: '^src/platform/' },
    },
    {
      name: 'contracts-import-only-kernel',
      comment: 'The published contracts (src/contracts) are shared language: they import only the kernel.',
      severity: 'error',
      from: { path: '^src/contracts/' },
      to: { path: heraldCode, pathNot: '^src/(?:contracts|kernel)/' },
    },
    {
      name: 'context-not-to-other-context',
      comment:
        "A context (and its routes) never imports another context's code, routes or tables; they share only src/contracts and the broker.",
      severity: 'error',
      from: { path: contextCode },
      to: { path: contextCode, pathNot: ownContextCode('$1') },
    },
    {
      name: 'context-not-to-routes',
      comment: 'A context module never imports routes/: the composition root (src/service) pairs each context with its routes (withRoutes).',
      severity: 'error',
      from: { path: `^src/(?:${anyContext})/` },
      to: { path: '^routes/' },
    },
    {
      name: 'routes-only-public-apis',
      comment:
        "Routes are built from their context's public API (src/<context>/index.ts), the toolkit's hono entry and the kernel; never a context's internals or the event store.",
      severity: 'error',
      from: { path: '^routes/' },
      to: {
        path: '^src/',
        pathNot: [`^src/(?:${anyContext})/index\\.ts$`, '^src/platform/hono/index\\.ts$', '^src/kernel/index\\.ts$'],
      },
    },
    {
      name: 'context-not-to-service',
      comment: 'A context never imports the reference service (src/service) that lists it.',
      severity: 'error',
      from: { path: contextCode },
      to: { path: '^src/service/' },
    },
    {
      name: 'only-service-imports-contexts',
      comment:
        'Only the reference service (src/service) lists contexts (scripts/, test/ and bench/ may too); nothing else in src/ or routes/ imports one.',
      severity: 'error',
      from: { path: '^(?:src|routes)/', pathNot: ['^src/service/', contextCode, '^src/(?:kernel|platform|dev|contracts)/'] },
      to: { path: contextCode },
    },
    {
      name: 'not-to-test-or-bench',
      comment: 'Nothing under src/, routes/ or examples/ imports test/ or bench/.',
      severity: 'error',
      from: { path: '^(?:src|routes|examples)/' },
      to: { path: '^(?:test|bench)/' },
    },
    {
      name: 'examples-only-public-paths',
      comment:
        "Examples are built from the package's public import paths (`herald`, `herald/*`), never a relative path into the repository.",
      severity: 'error',
      from: { path: '^examples/' },
      to: { dependencyTypes: ['local'], pathNot: '^examples/' },
    },
    {
      name: 'no-circular',
      comment:
        'No import cycles in src/ or routes/, not even one closed by an `import type` (contexts no longer mount their routes, so none is needed).',
      severity: 'error',
      from: { path: '^(?:src|routes)/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves, so no arrow escapes these rules by failing to resolve.',
      severity: 'error',
      from: { path: '^(?:src|routes|examples|scripts)/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    // Type-only imports are arrows too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Bun's and Workers' own modules, so `import ... from 'bun'` is a built-in and not the `bun` npm package.
    builtInModules: { add: ['bun', 'bun:test', 'bun:sqlite', 'bun:jsc', 'cloudflare:workers', 'cloudflare:sockets'] },
    enhancedResolveOptions: {
      // `herald/...` resolves through package.json `exports` (self-reference) with the `bun` condition,
      // which points at the TypeScript sources, as tsconfig's `customConditions: ["bun"]` does.
      exportsFields: ['exports'],
      conditionNames: ['bun', 'import', 'types', 'default'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.d.ts', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
}
