/**
 * Just enough JSON Schema (draft 2020-12, as zod v4's `z.toJSONSchema` writes it) to compare two
 * snapshots of a contract: local `$ref` resolution, `allOf` merging, union branches, the set of
 * JSON types a schema accepts, and short descriptions for findings. Pure data in, pure data out.
 */

/** A JSON Schema as plain data: an object of keywords, or `true` (anything) / `false` (nothing). */
export type JsonSchema = { readonly [key: string]: unknown } | boolean

export type SchemaObject = { readonly [key: string]: unknown }

export type JsonType = 'array' | 'boolean' | 'integer' | 'null' | 'number' | 'object' | 'string'

/** `undefined` means "no `type` keyword": every JSON type is accepted. */
export type TypeSet = ReadonlySet<JsonType> | undefined

/** Keywords that document a schema without changing what it accepts. */
export const ANNOTATIONS: ReadonlySet<string> = new Set([
  '$schema',
  '$id',
  '$comment',
  '$defs',
  'definitions',
  'title',
  'description',
  'examples',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
])

export const isSchemaObject = (value: unknown): value is SchemaObject => typeof value === 'object' && value !== null && !Array.isArray(value)

const isJsonSchema = (value: unknown): value is JsonSchema => typeof value === 'boolean' || isSchemaObject(value)

export const isUnion = (schema: SchemaObject): boolean => Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)

/** Follows a local JSON pointer (`#`, `#/$defs/Item`, `#/definitions/Item`, …); `undefined` if it leads nowhere. */
function lookupPointer(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (ref === '#') return root
  if (!ref.startsWith('#/')) return undefined
  let node: unknown = root
  for (const raw of ref.slice(2).split('/')) {
    const segment = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~')
    node = isSchemaObject(node) ? node[segment] : Array.isArray(node) ? node[Number(segment)] : undefined
  }
  return isJsonSchema(node) ? node : undefined
}

// A chain of refs longer than this can only be a loop of refs that never reach a real schema.
const MAX_REF_HOPS = 32

/**
 * Replaces a local `$ref` by its target, keeping sibling keywords (2020-12 allows them, e.g. a
 * `description` next to the ref). A remote or dangling ref is left in place: the checker then
 * compares it by its text, since it cannot see what it points to.
 */
export function resolveRef(node: JsonSchema, root: JsonSchema): JsonSchema {
  let current = node
  for (let hops = 0; isSchemaObject(current) && typeof current.$ref === 'string'; hops++) {
    if (hops === MAX_REF_HOPS) return true
    const target = lookupPointer(root, current.$ref)
    if (target === undefined) return current
    const { $ref: _ref, ...siblings } = current
    if (Object.keys(siblings).length === 0 || typeof target === 'boolean') current = target
    else current = { ...target, ...siblings }
  }
  return current
}

/**
 * Folds `allOf` into one schema. Properties merge and `required` lists unite; for any other
 * keyword the later member wins, which is exact for the object intersections zod emits and a fair
 * approximation otherwise.
 */
function mergeAllOf(schema: SchemaObject, root: JsonSchema): JsonSchema {
  const { allOf, ...rest } = schema
  if (!Array.isArray(allOf)) return schema
  let merged: SchemaObject = rest
  for (const member of allOf) {
    const part = isJsonSchema(member) ? normalize(member, root) : true
    if (part === false) return false
    if (part !== true) merged = mergeTwo(merged, part)
  }
  return merged
}

function mergeTwo(a: SchemaObject, b: SchemaObject): SchemaObject {
  const properties = { ...(isSchemaObject(a.properties) ? a.properties : {}), ...(isSchemaObject(b.properties) ? b.properties : {}) }
  const required = [...new Set([...requiredOf(a), ...requiredOf(b)])]
  return { ...a, ...b, properties, required }
}

/** A schema ready to compare: refs resolved, `allOf` folded in. */
export function normalize(node: JsonSchema, root: JsonSchema): JsonSchema {
  const resolved = resolveRef(node, root)
  return isSchemaObject(resolved) ? mergeAllOf(resolved, root) : resolved
}

export const propertiesOf = (schema: SchemaObject): Readonly<Record<string, JsonSchema>> =>
  isSchemaObject(schema.properties) ? (schema.properties as Record<string, JsonSchema>) : {}

export const requiredOf = (schema: SchemaObject): ReadonlySet<string> =>
  new Set(Array.isArray(schema.required) ? schema.required.filter((name): name is string => typeof name === 'string') : [])

/** The values a schema is limited to by `const` or `enum`, or `undefined` when it is not. */
export function valuesOf(schema: SchemaObject): readonly unknown[] | undefined {
  if ('const' in schema) return [schema.const]
  return Array.isArray(schema.enum) ? schema.enum : undefined
}

export function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  if (typeof value === 'string' || typeof value === 'boolean') return typeof value as JsonType
  return 'object'
}

/**
 * The JSON types a schema accepts: its `type` (plus `null` for OpenAPI's `nullable: true`), else
 * the types of its `const`/`enum` values, else every type.
 */
export function typesOf(schema: SchemaObject): TypeSet {
  const declared = typeof schema.type === 'string' ? [schema.type] : Array.isArray(schema.type) ? schema.type : undefined
  if (declared) {
    const types = new Set(declared as JsonType[])
    if (schema.nullable === true) types.add('null')
    return types
  }
  const values = valuesOf(schema)
  return values ? new Set(values.map(jsonTypeOf)) : undefined
}

/** Whether a type set accepts values of `type`; an integer is a number, so `number` accepts it. */
export const acceptsType = (types: TypeSet, type: JsonType): boolean => !types || types.has(type) || (type === 'integer' && types.has('number'))

/** Deep equality of JSON values, blind to key order. */
export const sameValue = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b)

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (isSchemaObject(value)) {
    const keys = Object.keys(value).sort()
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'undefined'
}

/** `"string"` for one type, `["string","null"]` for several, `"any"` when unconstrained. */
export function describeTypes(types: TypeSet): string {
  if (!types) return '"any"'
  const list = [...types]
  return list.length === 1 ? JSON.stringify(list[0]) : JSON.stringify(list)
}

export const describeValues = (values: readonly unknown[]): string => values.map((value) => JSON.stringify(value)).join(', ')

/** `data.items` + `units` → `data.items.units`; names that are not identifiers get brackets. */
export function childPath(path: string, name: string): string {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return `${path}[${JSON.stringify(name)}]`
  return path ? `${path}.${name}` : name
}

/**
 * The alternatives a schema accepts, flattened so two unions can be matched branch by branch:
 * nested `anyOf`/`oneOf` are opened and inherit the union's sibling keywords, a multi-type branch
 * (`type: ["string","null"]`) becomes one branch per type, and pure value branches (a union of
 * literals) are pooled into one enum so that adding or removing a literal reads as an enum change.
 * `oneOf` is treated as `anyOf`: what matters here is which values are accepted, and zod only emits
 * `oneOf` for discriminated unions, whose branches are disjoint anyway.
 */
export function branchesOf(schema: SchemaObject, root: JsonSchema): SchemaObject[] {
  return poolValueBranches(openUnions(schema, root, new Set()).flatMap(splitByType))
}

function openUnions(schema: SchemaObject, root: JsonSchema, seen: Set<JsonSchema>): SchemaObject[] {
  if (!isUnion(schema)) return [schema]
  const { anyOf, oneOf, ...siblings } = schema
  const members = [...(Array.isArray(anyOf) ? anyOf : []), ...(Array.isArray(oneOf) ? oneOf : [])]
  return members.flatMap((member) => {
    const branch = isJsonSchema(member) ? normalize(member, root) : true
    // A union that refers back to itself adds no new alternatives the second time round.
    if (branch === false || seen.has(branch)) return []
    if (typeof branch !== 'boolean') seen.add(branch)
    return openUnions({ ...siblings, ...(branch === true ? {} : branch) }, root, seen)
  })
}

function splitByType(branch: SchemaObject): SchemaObject[] {
  const declared = Array.isArray(branch.type) ? (branch.type as unknown[]) : []
  return declared.length < 2 ? [branch] : declared.map((type) => ({ ...branch, type }))
}

const isValueBranch = (branch: SchemaObject): boolean =>
  valuesOf(branch) !== undefined && Object.keys(branch).every((key) => key === 'type' || key === 'const' || key === 'enum' || ANNOTATIONS.has(key))

function poolValueBranches(branches: SchemaObject[]): SchemaObject[] {
  const pooled = branches.filter(isValueBranch)
  if (pooled.length < 2) return branches
  const types = new Set(pooled.flatMap((branch) => [...(typesOf(branch) ?? [])]))
  const values: unknown[] = []
  for (const value of pooled.flatMap((branch) => valuesOf(branch) ?? [])) {
    if (!values.some((known) => sameValue(known, value))) values.push(value)
  }
  const merged: SchemaObject = { type: [...types], enum: values }
  const at = branches.indexOf(pooled[0]!)
  const others = branches.filter((branch) => !pooled.includes(branch))
  return [...others.slice(0, at), merged, ...others.slice(at)]
}

/** The types a list of branches accepts together; `undefined` if one of them accepts any type. */
export function typesOfBranches(branches: readonly SchemaObject[]): TypeSet {
  const types = new Set<JsonType>()
  for (const branch of branches) {
    const own = typesOf(branch)
    if (!own) return undefined
    for (const type of own) types.add(type)
  }
  return types
}
