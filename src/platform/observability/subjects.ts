import type { StatusMachine } from '../hono/dashboard/statuses.ts'
import type { ContextDashboard, DemoDeclaration, KindedSubject, SubjectKind, SubjectSummary } from './timeline.ts'

/** A context's dashboard declaration with the context's name (the composition adds it). */
export interface ContributedDashboard extends ContextDashboard {
  /** The context that declared it: its reactions' default context and its subjects' owner. */
  readonly context?: string
}

/** A subject kind as the page learns it (`GET /dashboard/api/service`). */
export interface SubjectKindView {
  readonly name: string
  readonly plural: string
  /** The context that declared it. */
  readonly context: string | null
  readonly statuses: StatusMachine
  readonly hint: string | null
  /** The demo scenarios this service can run for it (none: the page shows no demo form). */
  readonly demo: readonly { readonly name: string; readonly label: string }[]
}

interface Declared {
  readonly kind: SubjectKind
  readonly context: string | null
  readonly demo: DemoDeclaration | undefined
}

/**
 * The subject kinds the contexts of one service declare, in the order of the contexts (the
 * first is what the page lists unless asked for another): listing, finding by id, and naming
 * each summary with its kind.
 */
export function subjectCatalogue(dashboards: readonly ContributedDashboard[]) {
  const declared: Declared[] = dashboards.flatMap((d) => (d.subjects ? [{ kind: d.subjects, context: d.context ?? null, demo: d.demo }] : []))
  const byName = new Map(declared.map((d) => [d.kind.name, d]))
  const named =
    (kind: SubjectKind) =>
    (summary: SubjectSummary): KindedSubject => ({ ...summary, kind: kind.name })
  const pick = (name?: string): Declared | undefined => (name === undefined ? declared[0] : byName.get(name))

  return {
    /** What the page shows about each kind. */
    views: (): SubjectKindView[] =>
      declared.map(({ kind, context, demo }) => ({
        name: kind.name,
        plural: kind.plural ?? `${kind.name}s`,
        context,
        statuses: kind.statuses ?? { statuses: [] },
        hint: kind.hint ?? null,
        demo: demo?.scenarios ?? [],
      })),

    /** The kind called `name` (default: the first declared), or undefined. */
    kind: (name?: string): SubjectKind | undefined => pick(name)?.kind,

    /** Newest first, of one kind. */
    async list(limit: number, name?: string): Promise<KindedSubject[]> {
      const kind = pick(name)?.kind
      return kind ? (await kind.list(limit)).map(named(kind)) : []
    },

    /** The subject `id` of kind `name`, or of the first kind that knows it. */
    async find(id: string, name?: string): Promise<KindedSubject | undefined> {
      for (const { kind } of name === undefined ? declared : [pick(name)].filter((d): d is Declared => d !== undefined)) {
        const [found] = await kind.find([id])
        if (found) return named(kind)(found)
      }
      return undefined
    },

    /** Which of `ids` are subjects of some kind: id → its kind's name. */
    async known(ids: readonly string[]): Promise<Map<string, string>> {
      const found = new Map<string, string>()
      if (ids.length === 0) return found
      for (const { kind } of declared) for (const s of await kind.find(ids)) if (!found.has(s.id)) found.set(s.id, kind.name)
      return found
    },

    /** The demo of kind `name` (default: the first kind's), if its context declared one. */
    demo: (name?: string): DemoDeclaration | undefined => pick(name)?.demo,
  }
}

export type SubjectCatalogue = ReturnType<typeof subjectCatalogue>
