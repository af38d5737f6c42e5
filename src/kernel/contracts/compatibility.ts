/**
 * A breaking-change checker for integration-event contracts, in the spirit of `buf breaking`:
 * compare the snapshotted JSON Schema of an event (same type, same major version) with the schema
 * the code produces now, and list every change that can break someone.
 *
 * "Breaking" combines two promises a published major version makes:
 * - the new schema still accepts every event that was valid under the old one (events already in
 *   the outbox, in queues, in replays and upcaster chains), so narrowing types, tightening
 *   constraints, removing enum values or union branches, closing the object, or requiring a field
 *   old producers never sent all break;
 * - the new schema still guarantees what old consumers read: fields they use do not disappear or
 *   become optional, and (unless tolerated) no enum value appears that an exhaustive switch misses.
 * Widening a type, adding an optional field or a union branch, loosening a constraint and editing
 * annotations (title, description, examples, default) are compatible.
 */
import {
  type JsonSchema,
  type SchemaObject,
  type TypeSet,
  ANNOTATIONS,
  acceptsType,
  branchesOf,
  childPath,
  describeTypes,
  describeValues,
  isSchemaObject,
  isUnion,
  normalize,
  propertiesOf,
  requiredOf,
  sameValue,
  typesOf,
  typesOfBranches,
  valuesOf,
} from './json-schema.ts'

export type { JsonSchema } from './json-schema.ts'

export type BreakingRule =
  | 'FIELD_REMOVED'
  | 'FIELD_NEWLY_REQUIRED'
  | 'FIELD_NO_LONGER_REQUIRED'
  | 'TYPE_CHANGED'
  | 'TYPE_NARROWED'
  | 'ENUM_VALUE_REMOVED'
  | 'ENUM_VALUE_ADDED'
  | 'CONSTRAINT_TIGHTENED'
  | 'TYPE_ATTRIBUTE_CHANGED'
  | 'DATASCHEMA_CHANGED'

/** One breaking change: which rule, where (`data.items[].units`), and what changed. */
export interface Finding {
  readonly rule: BreakingRule
  readonly path: string
  readonly message: string
}

/** What is snapshotted per event type and major version: the CloudEvents facts and the data schema. */
export interface ContractSnapshot {
  readonly type: string
  readonly dataschema: string
  readonly schema: JsonSchema
}

export interface CompatibilityOptions {
  /**
   * Whether a new enum (or literal) value is compatible. Defaults to `true`: a consumer that
   * switches exhaustively over the values, or validates against its old schema, does break on a
   * value it has never seen, but forbidding additions would freeze every status list for the
   * whole major version. Set it to `false` for contracts whose consumers are known to be strict.
   */
  readonly tolerateNewEnumValues?: boolean
  /** Prefix of every finding's path; `data` by default, the CloudEvents attribute holding the payload. */
  readonly path?: string
}

/**
 * Lists the changes from `previous` to `next` that break readers or writers of the contract;
 * an empty list means compatible. Local `$ref`s (`#/$defs/…`, `#/definitions/…`, `#`) are resolved
 * within each schema.
 *
 * @example
 * compareSchemas(
 *   { type: 'object', properties: { total: { type: 'number' } }, required: ['total'] },
 *   { type: 'object', properties: { total: { type: 'string' } }, required: ['total'] },
 * )
 * // → [{ rule: 'TYPE_CHANGED', path: 'data.total', message: 'was "number", now "string"' }]
 */
export function compareSchemas(previous: JsonSchema, next: JsonSchema, options: CompatibilityOptions = {}): Finding[] {
  const walk: Walk = {
    previousRoot: previous,
    nextRoot: next,
    tolerateNewEnumValues: options.tolerateNewEnumValues ?? true,
    inProgress: new Map(),
  }
  return compareNode(walk, previous, next, options.path ?? 'data')
}

/**
 * Compares two snapshots of one contract: a changed CloudEvents `type` or `dataschema` breaks every
 * subscription and schema lookup, then the data schemas are compared with {@link compareSchemas}.
 *
 * @example
 * compareContracts(
 *   { type: 'herald.ordering.OrderPaid.v1', dataschema: 'https://schemas.example/OrderPaid/v1', schema: v1 },
 *   { type: 'herald.ordering.OrderPaid.v1', dataschema: 'https://schemas.example/OrderPaid/v1', schema: v1WithNote },
 * ) // → [] when v1WithNote only adds an optional field
 */
export function compareContracts(previous: ContractSnapshot, next: ContractSnapshot, options: CompatibilityOptions = {}): Finding[] {
  const envelope: Finding[] = []
  if (previous.type !== next.type) {
    envelope.push(finding('TYPE_ATTRIBUTE_CHANGED', 'type', wasNow(previous.type, next.type)))
  }
  if (previous.dataschema !== next.dataschema) {
    envelope.push(finding('DATASCHEMA_CHANGED', 'dataschema', wasNow(previous.dataschema, next.dataschema)))
  }
  return [...envelope, ...compareSchemas(previous.schema, next.schema, options)]
}

/**
 * Renders findings one per line, the way `buf breaking` does; an empty string when there are none.
 *
 * @example
 * formatFindings('herald.ordering.OrderPaid.v1', findings)
 * // herald.ordering.OrderPaid.v1 data.total: TYPE_CHANGED was "number", now "string"
 */
export function formatFindings(eventKey: string, findings: readonly Finding[]): string {
  return findings.map((f) => `${eventKey} ${f.path || '(root)'}: ${f.rule} ${f.message}`).join('\n')
}

// ---------------------------------------------------------------------------------------------

interface Walk {
  readonly previousRoot: JsonSchema
  readonly nextRoot: JsonSchema
  readonly tolerateNewEnumValues: boolean
  /** Pairs of schema nodes being compared right now, so recursive `$ref`s stop instead of looping. */
  readonly inProgress: Map<object, Set<object>>
}

const finding = (rule: BreakingRule, path: string, message: string): Finding => ({ rule, path, message })

const wasNow = (was: unknown, now: unknown) => `was ${JSON.stringify(was)}, now ${JSON.stringify(now)}`

const TRUE_KEY = {}
const FALSE_KEY = {}
const nodeKey = (node: JsonSchema): object => (node === true ? TRUE_KEY : node === false ? FALSE_KEY : node)

function compareNode(walk: Walk, previous: JsonSchema, next: JsonSchema, path: string): Finding[] {
  const [a, b] = [nodeKey(previous), nodeKey(next)]
  const open = walk.inProgress.get(a) ?? new Set<object>()
  // Meeting the same pair again while still comparing it means a recursive schema; assume the
  // pair compatible here, its real differences are reported by the outer comparison.
  if (open.has(b)) return []
  walk.inProgress.set(a, open.add(b))
  try {
    return compareResolved(walk, normalize(previous, walk.previousRoot), normalize(next, walk.nextRoot), path)
  } finally {
    open.delete(b)
  }
}

function compareResolved(walk: Walk, previous: JsonSchema, next: JsonSchema, path: string): Finding[] {
  if (previous === false) return [] // nothing was valid before, so nothing valid can be lost
  if (next === false) return [finding('TYPE_NARROWED', path, `was ${describeSchema(previous, walk.previousRoot)}, now false (accepts nothing)`)]
  const [before, after] = [previous === true ? {} : previous, next === true ? {} : next]
  if (acceptsAnything(before) && acceptsAnything(after)) return []
  return isUnion(before) || isUnion(after) ? compareUnions(walk, before, after, path) : compareSingle(walk, before, after, path)
}

const acceptsAnything = (schema: SchemaObject) => Object.keys(schema).every((key) => ANNOTATIONS.has(key))

/** `data.tags` + `*` → `data.tags.*`, for the pseudo-fields "any other property" and "property name". */
const nested = (path: string, suffix: string) => (path ? `${path}.${suffix}` : suffix)

// --- types ---------------------------------------------------------------------------------------

type TypeVerdict = 'compatible' | 'narrowed' | 'changed'

/** Every old type still accepted → compatible; the new types a strict subset → narrowed; else changed. */
function classifyTypes(before: TypeSet, after: TypeSet): TypeVerdict {
  if (!after) return 'compatible'
  if (!before) return 'narrowed'
  if ([...before].every((type) => acceptsType(after, type))) return 'compatible'
  return [...after].every((type) => acceptsType(before, type)) ? 'narrowed' : 'changed'
}

const typesOverlap = (before: TypeSet, after: TypeSet): boolean =>
  !before || !after || [...before].some((t) => acceptsType(after, t)) || [...after].some((t) => acceptsType(before, t))

function compareTypes(before: SchemaObject, after: SchemaObject, path: string): Finding[] {
  const [was, now] = [typesOf(before), typesOf(after)]
  const verdict = classifyTypes(was, now)
  if (verdict === 'compatible') return []
  const message = `was ${describeTypes(was)}, now ${describeTypes(now)}`
  return [finding(verdict === 'narrowed' ? 'TYPE_NARROWED' : 'TYPE_CHANGED', path, message)]
}

// --- one (non-union) schema against another --------------------------------------------------------

function compareSingle(walk: Walk, before: SchemaObject, after: SchemaObject, path: string): Finding[] {
  if (typeof before.$ref === 'string' || typeof after.$ref === 'string') return compareOpaqueRefs(before, after, path)
  const typeFindings = compareTypes(before, after, path)
  // Once no type is shared, constraints of the old type say nothing about the new one.
  if (!typesOverlap(typesOf(before), typesOf(after))) return typeFindings
  const applies = (...types: string[]) => appliesTo(before, types) && appliesTo(after, types)
  return [
    ...typeFindings,
    ...compareValues(walk, before, after, path),
    ...(applies('number', 'integer') ? compareNumbers(before, after, path) : []),
    ...(applies('string') ? compareStrings(before, after, path) : []),
    ...(applies('array') ? compareArrays(walk, before, after, path) : []),
    ...(applies('object') ? compareObjects(walk, before, after, path) : []),
  ]
}

/** Type-specific keywords only matter if the schema can be of that type (a `null` branch has no `properties`). */
function appliesTo(schema: SchemaObject, types: readonly string[]): boolean {
  const own = typesOf(schema)
  return !own || types.some((type) => (own as ReadonlySet<string>).has(type))
}

/** A `$ref` that points outside the schema cannot be inspected; any change to it is assumed breaking. */
function compareOpaqueRefs(before: SchemaObject, after: SchemaObject, path: string): Finding[] {
  if (before.$ref === after.$ref) return []
  return [finding('TYPE_CHANGED', path, `was ${describeSchema(before)}, now ${describeSchema(after)}`)]
}

function compareValues(walk: Walk, before: SchemaObject, after: SchemaObject, path: string): Finding[] {
  const [was, now] = [valuesOf(before), valuesOf(after)]
  if (!now) return []
  if (!was) return [finding('CONSTRAINT_TIGHTENED', path, `now limited to [${describeValues(now)}]`)]
  const listed = `(was [${describeValues(was)}], now [${describeValues(now)}])`
  const removed = was.filter((value) => !now.some((kept) => sameValue(kept, value)))
  const added = now.filter((value) => !was.some((known) => sameValue(known, value)))
  const findings: Finding[] = []
  if (removed.length) findings.push(finding('ENUM_VALUE_REMOVED', path, `${describeValues(removed)} no longer allowed ${listed}`))
  if (added.length && !walk.tolerateNewEnumValues) {
    findings.push(finding('ENUM_VALUE_ADDED', path, `${describeValues(added)} newly possible ${listed}`))
  }
  return findings
}

// --- constraints ---------------------------------------------------------------------------------

const numberOf = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined)

/** A `min*` keyword may only go down and a `max*` keyword only up; anything new is a tightening. */
function compareLimit(before: SchemaObject, after: SchemaObject, key: string, path: string): Finding[] {
  const [was, now] = [numberOf(before[key]), numberOf(after[key])]
  if (now === undefined || was === now) return []
  const tighter = was === undefined || (key.startsWith('min') ? now > was : now < was)
  if (!tighter) return []
  return [finding('CONSTRAINT_TIGHTENED', path, was === undefined ? `${key} ${now} added` : `${key} was ${was}, now ${now}`)]
}

/** `pattern` and `format` cannot be compared for containment, so any new or different one counts. */
function compareExact(before: SchemaObject, after: SchemaObject, key: string, path: string): Finding[] {
  const [was, now] = [before[key], after[key]]
  if (now === undefined || sameValue(was, now)) return []
  const message = was === undefined ? `${key} ${JSON.stringify(now)} added` : `${key} ${wasNow(was, now)}`
  return [finding('CONSTRAINT_TIGHTENED', path, message)]
}

function compareStrings(before: SchemaObject, after: SchemaObject, path: string): Finding[] {
  return [
    ...compareLimit(before, after, 'minLength', path),
    ...compareLimit(before, after, 'maxLength', path),
    ...compareExact(before, after, 'pattern', path),
    ...compareExact(before, after, 'format', path),
  ]
}

interface Bound {
  readonly value: number
  readonly exclusive: boolean
}

/**
 * The effective lower or upper bound of a numeric schema. zod writes ±`Number.MAX_SAFE_INTEGER`
 * on every `z.int()`; JSON numbers past that are not exact in JavaScript anyway, so such a bound
 * is read as "no bound" rather than reported as a tightening when `z.number()` becomes `z.int()`.
 * For integers, `> n` is `>= n + 1`, so `.positive()` and `.min(1)` compare as equal.
 */
function boundOf(schema: SchemaObject, side: 'lower' | 'upper'): Bound | undefined {
  const [inclusiveKey, exclusiveKey] = side === 'lower' ? ['minimum', 'exclusiveMinimum'] : ['maximum', 'exclusiveMaximum']
  const inclusive = numberOf(schema[inclusiveKey])
  const exclusiveFlag = schema[exclusiveKey] === true // draft-04 style
  const candidates: Bound[] = []
  if (inclusive !== undefined) candidates.push({ value: inclusive, exclusive: exclusiveFlag })
  const exclusive = numberOf(schema[exclusiveKey])
  if (exclusive !== undefined) candidates.push({ value: exclusive, exclusive: true })
  const integerOnly = typesOf(schema)?.size === 1 && typesOf(schema)?.has('integer')
  const bounds = candidates
    .filter((bound) => Math.abs(bound.value) < Number.MAX_SAFE_INTEGER)
    .map((bound) => (integerOnly && bound.exclusive ? { value: bound.value + (side === 'lower' ? 1 : -1), exclusive: false } : bound))
  return bounds.reduce<Bound | undefined>((strictest, bound) => (!strictest || isTighter(bound, strictest, side) ? bound : strictest), undefined)
}

function isTighter(bound: Bound, than: Bound, side: 'lower' | 'upper'): boolean {
  if (bound.value !== than.value) return side === 'lower' ? bound.value > than.value : bound.value < than.value
  return bound.exclusive && !than.exclusive
}

const describeBound = (bound: Bound, side: 'lower' | 'upper') => `${side === 'lower' ? '>' : '<'}${bound.exclusive ? '' : '='} ${bound.value}`

function compareBound(before: SchemaObject, after: SchemaObject, side: 'lower' | 'upper', path: string): Finding[] {
  const [was, now] = [boundOf(before, side), boundOf(after, side)]
  if (!now || (was && !isTighter(now, was, side))) return []
  const message = was ? `${side} bound was ${describeBound(was, side)}, now ${describeBound(now, side)}` : `${side} bound ${describeBound(now, side)} added`
  return [finding('CONSTRAINT_TIGHTENED', path, message)]
}

function compareMultipleOf(before: SchemaObject, after: SchemaObject, path: string): Finding[] {
  const [was, now] = [numberOf(before.multipleOf), numberOf(after.multipleOf)]
  if (now === undefined) return []
  // Still compatible when every old multiple is a new one, i.e. the old step is a multiple of the new.
  if (was !== undefined && Math.abs(was / now - Math.round(was / now)) < 1e-9) return []
  return [finding('CONSTRAINT_TIGHTENED', path, was === undefined ? `multipleOf ${now} added` : `multipleOf was ${was}, now ${now}`)]
}

function compareNumbers(before: SchemaObject, after: SchemaObject, path: string): Finding[] {
  return [...compareBound(before, after, 'lower', path), ...compareBound(before, after, 'upper', path), ...compareMultipleOf(before, after, path)]
}

// --- arrays ----------------------------------------------------------------------------------------

/** Tuple positions (`prefixItems`, or draft-07 array-form `items`) and the schema of the rest. */
function arrayShape(schema: SchemaObject): { positions: readonly JsonSchema[]; rest: JsonSchema } {
  if (Array.isArray(schema.items)) {
    return { positions: schema.items as JsonSchema[], rest: (schema.additionalItems as JsonSchema | undefined) ?? true }
  }
  const positions = Array.isArray(schema.prefixItems) ? (schema.prefixItems as JsonSchema[]) : []
  return { positions, rest: (schema.items as JsonSchema | undefined) ?? true }
}

function compareArrays(walk: Walk, before: SchemaObject, after: SchemaObject, path: string): Finding[] {
  const [was, now] = [arrayShape(before), arrayShape(after)]
  const findings: Finding[] = []
  for (let i = 0; i < Math.max(was.positions.length, now.positions.length); i++) {
    findings.push(...compareNode(walk, was.positions[i] ?? was.rest, now.positions[i] ?? now.rest, `${path}[${i}]`))
  }
  findings.push(...compareNode(walk, was.rest, now.rest, `${path}[]`))
  findings.push(...compareLimit(before, after, 'minItems', path), ...compareLimit(before, after, 'maxItems', path))
  if (after.uniqueItems === true && before.uniqueItems !== true) {
    findings.push(finding('CONSTRAINT_TIGHTENED', path, 'uniqueItems added'))
  }
  return findings
}

// --- objects ---------------------------------------------------------------------------------------

function compareObjects(walk: Walk, before: SchemaObject, after: SchemaObject, path: string): Finding[] {
  return [
    ...compareProperties(walk, before, after, path),
    ...compareRequired(before, after, path),
    ...compareAdditionalProperties(walk, before, after, path),
    ...compareNode(walk, (before.propertyNames as JsonSchema) ?? true, (after.propertyNames as JsonSchema) ?? true, nested(path, '<key>')),
    ...compareLimit(before, after, 'minProperties', path),
    ...compareLimit(before, after, 'maxProperties', path),
  ]
}

function compareProperties(walk: Walk, before: SchemaObject, after: SchemaObject, path: string): Finding[] {
  const [was, now] = [propertiesOf(before), propertiesOf(after)]
  return Object.entries(was).flatMap(([name, schema]) =>
    Object.hasOwn(now, name) ? compareNode(walk, schema, now[name]!, childPath(path, name)) : [removedField(walk, name, schema, was, now, path)],
  )
}

/** A rename cannot be told from a removal, but a new field with an equivalent schema is worth a hint. */
function removedField(
  walk: Walk,
  name: string,
  schema: JsonSchema,
  was: Readonly<Record<string, JsonSchema>>,
  now: Readonly<Record<string, JsonSchema>>,
  path: string,
): Finding {
  const lookalikes = Object.keys(now).filter((candidate) => !Object.hasOwn(was, candidate) && equivalent(walk, schema, now[candidate]!))
  const hint = lookalikes.length ? `; possibly renamed to ${lookalikes.join(' or ')}` : ''
  const described = describeSchema(normalize(schema, walk.previousRoot), walk.previousRoot)
  return finding('FIELD_REMOVED', childPath(path, name), `field removed (was ${described})${hint}`)
}

/** Equivalent schemas: no finding either way, even with new enum values counted. */
function equivalent(walk: Walk, previous: JsonSchema, next: JsonSchema): boolean {
  const strict = { tolerateNewEnumValues: false, inProgress: new Map() }
  const forth = compareNode({ ...strict, previousRoot: walk.previousRoot, nextRoot: walk.nextRoot }, previous, next, '')
  const back = compareNode({ ...strict, previousRoot: walk.nextRoot, nextRoot: walk.previousRoot }, next, previous, '')
  return forth.length === 0 && back.length === 0
}

function compareRequired(before: SchemaObject, after: SchemaObject, path: string): Finding[] {
  const [was, now] = [requiredOf(before), requiredOf(after)]
  const [oldProperties, newProperties] = [propertiesOf(before), propertiesOf(after)]
  // A removed field is already reported as FIELD_REMOVED; saying it is no longer required adds nothing.
  const removed = (name: string) => Object.hasOwn(oldProperties, name) && !Object.hasOwn(newProperties, name)
  const optional = [...was]
    .filter((name) => !now.has(name) && !removed(name))
    .map((name) => finding('FIELD_NO_LONGER_REQUIRED', childPath(path, name), 'was required, now optional'))
  const required = [...now]
    .filter((name) => !was.has(name))
    .map((name) =>
      finding('FIELD_NEWLY_REQUIRED', childPath(path, name), Object.hasOwn(oldProperties, name) ? 'was optional, now required' : 'new required field'),
    )
  return [...optional, ...required]
}

function compareAdditionalProperties(walk: Walk, before: SchemaObject, after: SchemaObject, path: string): Finding[] {
  const was = (before.additionalProperties as JsonSchema | undefined) ?? true
  const now = (after.additionalProperties as JsonSchema | undefined) ?? true
  if (now === false) {
    return was === false ? [] : [finding('CONSTRAINT_TIGHTENED', path, 'additionalProperties was allowed, now false (object closed)')]
  }
  return compareNode(walk, was, now, nested(path, '*'))
}

// --- unions ----------------------------------------------------------------------------------------

/**
 * Every old branch must still be accepted by some new branch. A branch nothing accepts is a removed
 * branch (TYPE_NARROWED); a branch whose closest new counterpart differs reports those differences,
 * so a field removed inside a nullable object reads as FIELD_REMOVED, not as a lost branch.
 */
function compareUnions(walk: Walk, before: SchemaObject, after: SchemaObject, path: string): Finding[] {
  const [was, now] = [branchesOf(before, walk.previousRoot), branchesOf(after, walk.nextRoot)]
  const findings: Finding[] = []
  const lost: SchemaObject[] = []
  for (const branch of was) {
    const match = matchBranch(walk, branch, now, path)
    if (match === 'lost') lost.push(branch)
    else findings.push(...match)
  }
  if (!lost.length) return withoutDuplicates(findings)
  const [wasTypes, nowTypes] = [typesOfBranches(was), typesOfBranches(now)]
  const rule = classifyTypes(wasTypes, nowTypes) === 'changed' ? 'TYPE_CHANGED' : 'TYPE_NARROWED'
  const message = `no longer accepts ${lost.map((branch) => describeSchema(branch)).join(', ')} (was ${describeTypes(wasTypes)}, now ${describeTypes(nowTypes)})`
  return withoutDuplicates([finding(rule, path, message), ...findings])
}

/** Two old branches matched to the same new branch can report the same difference twice. */
function withoutDuplicates(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>()
  return findings.filter((f) => {
    const key = `${f.rule} ${f.path} ${f.message}`
    return !seen.has(key) && Boolean(seen.add(key))
  })
}

/** `[]` when some new branch accepts the old one, the closest branch's findings, or `'lost'`. */
function matchBranch(walk: Walk, branch: SchemaObject, candidates: readonly SchemaObject[], path: string): Finding[] | 'lost' {
  const attempts = candidates
    .filter((candidate) => sameDiscriminators(walk, branch, candidate))
    .map((candidate) => compareSingle(walk, branch, candidate, path))
  if (attempts.some((findings) => findings.length === 0)) return []
  const plausible = attempts.filter((findings) => !findings.some((f) => f.path === path && f.rule === 'TYPE_CHANGED'))
  if (!plausible.length) return 'lost'
  return plausible.reduce((best, findings) => (findings.length < best.length ? findings : best))
}

/**
 * Object branches of a discriminated union are told apart by a property fixed to one value
 * (`kind: "refund"`); branches with different discriminators are never each other's counterpart.
 */
function sameDiscriminators(walk: Walk, before: SchemaObject, after: SchemaObject): boolean {
  const [was, now] = [discriminators(before, walk.previousRoot), discriminators(after, walk.nextRoot)]
  return [...was].every(([name, value]) => !now.has(name) || sameValue(now.get(name), value))
}

function discriminators(schema: SchemaObject, root: JsonSchema): Map<string, unknown> {
  const fixed = new Map<string, unknown>()
  for (const [name, property] of Object.entries(propertiesOf(schema))) {
    const resolved = normalize(property, root)
    const values = isSchemaObject(resolved) ? valuesOf(resolved) : undefined
    if (values?.length === 1) fixed.set(name, values[0])
  }
  return fixed
}

// --- descriptions ----------------------------------------------------------------------------------

/** A short human description: the literal values, the object's discriminators, or the types. */
function describeSchema(schema: JsonSchema, root: JsonSchema = schema): string {
  if (typeof schema === 'boolean') return String(schema)
  if (typeof schema.$ref === 'string') return `$ref ${JSON.stringify(schema.$ref)}`
  const values = valuesOf(schema)
  if (values) return values.length === 1 ? JSON.stringify(values[0]) : `[${describeValues(values)}]`
  if (isUnion(schema)) return describeTypes(typesOfBranches(branchesOf(schema, root)))
  const fixed = Object.entries(propertiesOf(schema)).flatMap(([name, property]) => {
    const values = isSchemaObject(property) ? valuesOf(property) : undefined
    return values?.length === 1 ? [`${name}: ${JSON.stringify(values[0])}`] : []
  })
  return fixed.length ? `object {${fixed.join(', ')}}` : describeTypes(typesOf(schema))
}
