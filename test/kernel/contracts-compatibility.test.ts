import { describe, expect, it } from 'bun:test'
import { z } from 'zod'
import {
  type CompatibilityOptions,
  type ContractSnapshot,
  type Finding,
  type JsonSchema,
  compareContracts,
  compareSchemas,
  formatFindings,
} from '../../src/kernel/contracts/compatibility.ts'

/** zod's real output, round-tripped through JSON the way a snapshot file stores it. */
const snapshot = (schema: z.ZodType, params?: Parameters<typeof z.toJSONSchema>[1]): JsonSchema => JSON.parse(JSON.stringify(z.toJSONSchema(schema, params)))

const object = (properties: Record<string, JsonSchema>, required: string[] = Object.keys(properties)): JsonSchema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
})

const TYPE = 'herald.ordering.OrderPaid.v1'
const DATASCHEMA = 'https://schemas.herald.dev/ordering/OrderPaid/v1.json'

interface Case {
  readonly name: string
  readonly before: JsonSchema
  readonly after: JsonSchema
  /** `path RULE` for every expected finding; `[]` means compatible. */
  readonly expected: readonly string[]
  readonly options?: CompatibilityOptions
  readonly envelope?: Partial<Omit<ContractSnapshot, 'schema'>>
}

const Status = z.enum(['pending', 'paid', 'cancelled'])
const Line = z.object({ sku: z.string(), units: z.int().min(1) })
const Address = z.object({ street: z.string(), city: z.string() })
const Card = z.object({ kind: z.literal('card'), last4: z.string().length(4) })
const Cash = z.object({ kind: z.literal('cash') })
const Transfer = z.object({ kind: z.literal('transfer'), iban: z.string() })

const cases: Case[] = [
  // --- enums and literals -------------------------------------------------------------------------
  {
    name: 'zod: enum value removed',
    before: snapshot(z.object({ status: Status })),
    after: snapshot(z.object({ status: z.enum(['pending', 'paid']) })),
    expected: ['data.status ENUM_VALUE_REMOVED'],
  },
  {
    name: 'zod: enum value added is tolerated by default',
    before: snapshot(z.object({ status: z.enum(['pending', 'paid']) })),
    after: snapshot(z.object({ status: Status })),
    expected: [],
  },
  {
    name: 'zod: enum value added breaks when new values are not tolerated',
    before: snapshot(z.object({ status: z.enum(['pending', 'paid']) })),
    after: snapshot(z.object({ status: Status })),
    options: { tolerateNewEnumValues: false },
    expected: ['data.status ENUM_VALUE_ADDED'],
  },
  {
    name: 'zod: literal changed (const value removed)',
    before: snapshot(z.object({ currency: z.literal('EUR') })),
    after: snapshot(z.object({ currency: z.literal('USD') })),
    expected: ['data.currency ENUM_VALUE_REMOVED'],
  },
  {
    name: 'zod: union of literals loses one, strict policy also flags the new one',
    before: snapshot(z.object({ channel: z.union([z.literal('web'), z.literal('shop')]) })),
    after: snapshot(z.object({ channel: z.union([z.literal('web'), z.literal('app')]) })),
    options: { tolerateNewEnumValues: false },
    expected: ['data.channel ENUM_VALUE_REMOVED', 'data.channel ENUM_VALUE_ADDED'],
  },
  // --- presence -----------------------------------------------------------------------------------
  {
    name: 'zod: optional field made required',
    before: snapshot(z.object({ orderId: z.uuid(), note: z.string().optional() })),
    after: snapshot(z.object({ orderId: z.uuid(), note: z.string() })),
    expected: ['data.note FIELD_NEWLY_REQUIRED'],
  },
  {
    name: 'zod: required field made optional',
    before: snapshot(z.object({ orderId: z.uuid(), note: z.string() })),
    after: snapshot(z.object({ orderId: z.uuid(), note: z.string().optional() })),
    expected: ['data.note FIELD_NO_LONGER_REQUIRED'],
  },
  {
    name: 'zod: rename = removed + new required field',
    before: snapshot(z.object({ customerId: z.uuid(), total: z.number() })),
    after: snapshot(z.object({ buyerId: z.uuid(), total: z.number() })),
    expected: ['data.customerId FIELD_REMOVED', 'data.buyerId FIELD_NEWLY_REQUIRED'],
  },
  {
    name: 'zod: new optional field is compatible',
    before: snapshot(z.object({ orderId: z.uuid() })),
    after: snapshot(z.object({ orderId: z.uuid(), coupon: z.string().optional() })),
    expected: [],
  },
  {
    name: 'zod: new required field',
    before: snapshot(z.object({ orderId: z.uuid() })),
    after: snapshot(z.object({ orderId: z.uuid(), currency: z.string() })),
    expected: ['data.currency FIELD_NEWLY_REQUIRED'],
  },
  {
    name: 'zod: nested object field removed',
    before: snapshot(z.object({ shipping: Address })),
    after: snapshot(z.object({ shipping: z.object({ street: z.string() }) })),
    expected: ['data.shipping.city FIELD_REMOVED'],
  },
  {
    name: 'zod: field removed inside a nullable object reads as a removal, not a lost branch',
    before: snapshot(z.object({ shipping: Address.nullable() })),
    after: snapshot(z.object({ shipping: z.object({ street: z.string() }).nullable() })),
    expected: ['data.shipping.city FIELD_REMOVED'],
  },
  // --- types --------------------------------------------------------------------------------------
  {
    name: 'zod: array item field type changed',
    before: snapshot(z.object({ items: z.array(Line) })),
    after: snapshot(z.object({ items: z.array(z.object({ sku: z.string(), units: z.string() })) })),
    expected: ['data.items[].units TYPE_CHANGED'],
  },
  {
    name: 'hand: array item union narrowed',
    before: object({ items: { type: 'array', items: object({ units: { type: ['integer', 'string'] } }) } }),
    after: object({ items: { type: 'array', items: object({ units: { type: 'integer' } }) } }),
    expected: ['data.items[].units TYPE_NARROWED'],
  },
  {
    name: 'zod: nullable removed from a string',
    before: snapshot(z.object({ note: z.string().nullable() })),
    after: snapshot(z.object({ note: z.string() })),
    expected: ['data.note TYPE_NARROWED'],
  },
  {
    name: 'zod: nullable removed from an object (anyOf with null)',
    before: snapshot(z.object({ shipping: Address.nullable() })),
    after: snapshot(z.object({ shipping: Address })),
    expected: ['data.shipping TYPE_NARROWED'],
  },
  {
    name: 'zod: nullable added (string → string | null) is a widening',
    before: snapshot(z.object({ note: z.string() })),
    after: snapshot(z.object({ note: z.string().nullable() })),
    expected: [],
  },
  {
    name: 'zod: integer → number is a widening',
    before: snapshot(z.object({ units: z.int() })),
    after: snapshot(z.object({ units: z.number() })),
    expected: [],
  },
  {
    name: 'zod: number → integer narrows',
    before: snapshot(z.object({ total: z.number() })),
    after: snapshot(z.object({ total: z.int() })),
    expected: ['data.total TYPE_NARROWED'],
  },
  {
    name: 'hand: string → number changes the type',
    before: object({ total: { type: 'number' } }),
    after: object({ total: { type: 'string' } }),
    expected: ['data.total TYPE_CHANGED'],
  },
  {
    name: 'hand: anyOf branch removed',
    before: object({ reference: { anyOf: [{ type: 'string' }, { type: 'number' }] } }),
    after: object({ reference: { anyOf: [{ type: 'string' }] } }),
    expected: ['data.reference TYPE_NARROWED'],
  },
  {
    name: 'hand: anyOf branch added',
    before: object({ reference: { anyOf: [{ type: 'string' }] } }),
    after: object({ reference: { anyOf: [{ type: 'string' }, { type: 'number' }] } }),
    expected: [],
  },
  {
    name: 'hand: type array and equivalent anyOf are interchangeable',
    before: object({ note: { type: ['string', 'null'] } }),
    after: object({ note: { anyOf: [{ type: 'string' }, { type: 'null' }] } }),
    expected: [],
  },
  {
    name: 'zod: discriminated union branch removed',
    before: snapshot(z.object({ payment: z.discriminatedUnion('kind', [Card, Cash, Transfer]) })),
    after: snapshot(z.object({ payment: z.discriminatedUnion('kind', [Card, Transfer]) })),
    expected: ['data.payment TYPE_NARROWED'],
  },
  {
    name: 'zod: discriminated union branch added',
    before: snapshot(z.object({ payment: z.discriminatedUnion('kind', [Card, Cash]) })),
    after: snapshot(z.object({ payment: z.discriminatedUnion('kind', [Card, Cash, Transfer]) })),
    expected: [],
  },
  {
    name: 'zod: field changed inside one discriminated union branch',
    before: snapshot(z.object({ payment: z.discriminatedUnion('kind', [Card, Transfer]) })),
    after: snapshot(z.object({ payment: z.discriminatedUnion('kind', [Card, z.object({ kind: z.literal('transfer'), iban: z.number() })]) })),
    expected: ['data.payment.iban TYPE_CHANGED'],
  },
  // --- constraints --------------------------------------------------------------------------------
  {
    name: 'zod: maxLength lowered',
    before: snapshot(z.object({ note: z.string().max(100) })),
    after: snapshot(z.object({ note: z.string().max(50) })),
    expected: ['data.note CONSTRAINT_TIGHTENED'],
  },
  {
    name: 'zod: maxLength raised',
    before: snapshot(z.object({ note: z.string().max(50) })),
    after: snapshot(z.object({ note: z.string().max(100) })),
    expected: [],
  },
  {
    name: 'zod: pattern added',
    before: snapshot(z.object({ sku: z.string() })),
    after: snapshot(z.object({ sku: z.string().regex(/^[A-Z]{3}-\d+$/) })),
    expected: ['data.sku CONSTRAINT_TIGHTENED'],
  },
  {
    name: 'hand: format added',
    before: object({ paidAt: { type: 'string' } }),
    after: object({ paidAt: { type: 'string', format: 'date-time' } }),
    expected: ['data.paidAt CONSTRAINT_TIGHTENED'],
  },
  {
    name: 'zod: minimum raised and maximum added on an array item',
    before: snapshot(z.object({ items: z.array(Line) })),
    after: snapshot(z.object({ items: z.array(z.object({ sku: z.string(), units: z.int().min(2).max(99) })) })),
    expected: ['data.items[].units CONSTRAINT_TIGHTENED', 'data.items[].units CONSTRAINT_TIGHTENED'],
  },
  {
    name: 'zod: minimum lowered, exclusive 0 → inclusive 1 on integers is the same bound',
    before: snapshot(z.object({ units: z.int().min(5), count: z.int().positive() })),
    after: snapshot(z.object({ units: z.int().min(1), count: z.int().min(1) })),
    expected: [],
  },
  {
    name: 'zod: minItems raised, maxItems lowered',
    before: snapshot(z.object({ items: z.array(Line).max(100) })),
    after: snapshot(z.object({ items: z.array(Line).min(1).max(10) })),
    expected: ['data.items CONSTRAINT_TIGHTENED', 'data.items CONSTRAINT_TIGHTENED'],
  },
  {
    name: 'zod: additionalProperties closed (looseObject → object)',
    before: snapshot(z.looseObject({ orderId: z.uuid() })),
    after: snapshot(z.object({ orderId: z.uuid() })),
    expected: ['data CONSTRAINT_TIGHTENED'],
  },
  {
    name: 'zod: additionalProperties opened (object → looseObject)',
    before: snapshot(z.object({ orderId: z.uuid() })),
    after: snapshot(z.looseObject({ orderId: z.uuid() })),
    expected: [],
  },
  // --- annotations, order, refs -------------------------------------------------------------------
  {
    name: 'zod: description, title and examples changes only',
    before: snapshot(z.object({ total: z.number().describe('Gross total') })),
    after: snapshot(z.object({ total: z.number().meta({ description: 'Total incl. VAT', title: 'Total', examples: [9.99] }) })),
    expected: [],
  },
  {
    name: 'zod: properties reordered',
    before: snapshot(z.object({ orderId: z.uuid(), total: z.number(), status: Status })),
    after: snapshot(z.object({ status: Status, total: z.number(), orderId: z.uuid() })),
    expected: [],
  },
  {
    name: 'zod: $ref to a shared $defs entry is resolved in each schema',
    before: snapshot(z.object({ billing: Address, shipping: Address }), { reused: 'ref' }),
    after: snapshot(z.object({ billing: z.object({ street: z.string(), city: z.number() }), shipping: z.object({ street: z.string(), city: z.number() }) })),
    expected: ['data.billing.city TYPE_CHANGED', 'data.shipping.city TYPE_CHANGED'],
  },
  {
    name: 'hand: #/definitions/ refs (draft-07 style)',
    before: { ...(object({ total: { $ref: '#/definitions/Money' } }) as object), definitions: { Money: { type: 'number' } } },
    after: { ...(object({ total: { $ref: '#/definitions/Money' } }) as object), definitions: { Money: { type: 'string' } } },
    expected: ['data.total TYPE_CHANGED'],
  },
  // --- envelope -----------------------------------------------------------------------------------
  {
    name: 'envelope: CloudEvents type changed',
    before: snapshot(z.object({ orderId: z.uuid() })),
    after: snapshot(z.object({ orderId: z.uuid() })),
    envelope: { type: 'herald.ordering.OrderSettled.v1' },
    expected: ['type TYPE_ATTRIBUTE_CHANGED'],
  },
  {
    name: 'envelope: dataschema changed',
    before: snapshot(z.object({ orderId: z.uuid() })),
    after: snapshot(z.object({ orderId: z.uuid() })),
    envelope: { dataschema: 'https://schemas.herald.dev/ordering/OrderPaid/v1-final.json' },
    expected: ['dataschema DATASCHEMA_CHANGED'],
  },
]

const verdict = (findings: readonly Finding[]) => findings.map((f) => `${f.path} ${f.rule}`).sort()

describe('compareContracts: the compatibility rules', () => {
  it('covers every rule and at least 20 schema pairs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20)
    const rules = new Set(cases.flatMap((c) => c.expected.map((e) => e.split(' ')[1])))
    expect([...rules].sort()).toEqual([
      'CONSTRAINT_TIGHTENED',
      'DATASCHEMA_CHANGED',
      'ENUM_VALUE_ADDED',
      'ENUM_VALUE_REMOVED',
      'FIELD_NEWLY_REQUIRED',
      'FIELD_NO_LONGER_REQUIRED',
      'FIELD_REMOVED',
      'TYPE_ATTRIBUTE_CHANGED',
      'TYPE_CHANGED',
      'TYPE_NARROWED',
    ])
  })

  for (const c of cases) {
    it(`${c.name} → ${c.expected.length ? c.expected.join(', ') : 'compatible'}`, () => {
      const previous: ContractSnapshot = { type: TYPE, dataschema: DATASCHEMA, schema: c.before }
      const next: ContractSnapshot = { type: TYPE, dataschema: DATASCHEMA, ...c.envelope, schema: c.after }
      expect(verdict(compareContracts(previous, next, c.options))).toEqual([...c.expected].sort())
    })
  }
})

describe('compareSchemas', () => {
  it('says "possibly renamed" when a new field has the removed one\'s schema', () => {
    const findings = compareSchemas(
      snapshot(z.object({ customerId: z.uuid(), note: z.string().optional() })),
      snapshot(z.object({ buyerId: z.uuid(), note: z.string().optional() })),
    )
    const removed = findings.find((f) => f.rule === 'FIELD_REMOVED')
    expect(removed?.path).toBe('data.customerId')
    expect(removed?.message).toContain('possibly renamed to buyerId')
  })

  it('gives no rename hint when no new field looks alike', () => {
    const [removed] = compareSchemas(snapshot(z.object({ customerId: z.uuid() })), snapshot(z.object({ total: z.number().optional() })))
    expect(removed?.rule).toBe('FIELD_REMOVED')
    expect(removed?.message).not.toContain('renamed')
  })

  it('compares recursive schemas (zod getters emit $ref "#") without looping', () => {
    const Category: z.ZodType = z.object({
      name: z.string(),
      get parent() {
        return Category.optional()
      },
    })
    const Renamed: z.ZodType = z.object({
      name: z.string(),
      slug: z.string().optional(),
      get parent() {
        return Renamed.optional()
      },
    })
    const Retyped: z.ZodType = z.object({
      name: z.number(),
      get parent() {
        return Retyped.optional()
      },
    })
    expect(compareSchemas(snapshot(Category), snapshot(Renamed))).toEqual([])
    expect(verdict(compareSchemas(snapshot(Category), snapshot(Retyped)))).toEqual(['data.name TYPE_CHANGED', 'data.parent.name TYPE_CHANGED'])
  })

  it('treats the whole schema being replaced by false as narrowing and true as widening', () => {
    expect(verdict(compareSchemas({ type: 'string' }, false))).toEqual(['data TYPE_NARROWED'])
    expect(compareSchemas({ type: 'string' }, true)).toEqual([])
    expect(compareSchemas(false, { type: 'string' })).toEqual([])
  })

  it('uses the given path prefix and quotes property names that are not identifiers', () => {
    const findings = compareSchemas(object({ 'line-items': { type: 'array' } }), object({}), { path: 'payload' })
    expect(verdict(findings)).toEqual(['payload["line-items"] FIELD_REMOVED'])
  })

  it('reports changes to a remote $ref it cannot follow', () => {
    const before = object({ money: { $ref: 'https://schemas.herald.dev/Money/v1.json' } })
    const after = object({ money: { $ref: 'https://schemas.herald.dev/Money/v2.json' } })
    expect(verdict(compareSchemas(before, after))).toEqual(['data.money TYPE_CHANGED'])
    expect(compareSchemas(before, before)).toEqual([])
  })

  it('matches the documented example', () => {
    expect(
      compareSchemas(
        { type: 'object', properties: { total: { type: 'number' } }, required: ['total'] },
        { type: 'object', properties: { total: { type: 'string' } }, required: ['total'] },
      ),
    ).toEqual([{ rule: 'TYPE_CHANGED', path: 'data.total', message: 'was "number", now "string"' }])
  })
})

describe('formatFindings', () => {
  it('prints one buf-style line per finding, naming the event, the field path and the rule', () => {
    const findings = compareContracts(
      { type: TYPE, dataschema: DATASCHEMA, schema: snapshot(z.object({ total: z.number(), items: z.array(Line) })) },
      { type: TYPE, dataschema: DATASCHEMA, schema: snapshot(z.object({ total: z.string(), items: z.array(z.object({ sku: z.string() })) })) },
    )
    expect(formatFindings(TYPE, findings).split('\n')).toEqual([
      'herald.ordering.OrderPaid.v1 data.total: TYPE_CHANGED was "number", now "string"',
      'herald.ordering.OrderPaid.v1 data.items[].units: FIELD_REMOVED field removed (was "integer")',
    ])
  })

  it('describes narrowed unions with the old and new type sets', () => {
    const findings = compareSchemas(
      object({ items: { type: 'array', items: object({ units: { type: ['integer', 'string'] } }) } }),
      object({ items: { type: 'array', items: object({ units: { type: 'integer' } }) } }),
    )
    expect(formatFindings(TYPE, findings)).toBe('herald.ordering.OrderPaid.v1 data.items[].units: TYPE_NARROWED was ["integer","string"], now "integer"')
  })

  it('prints nothing when compatible', () => {
    expect(formatFindings(TYPE, [])).toBe('')
  })
})
