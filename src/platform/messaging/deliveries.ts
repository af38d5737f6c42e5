import {
  type CommandRunner,
  type ContractRegistry,
  type DomainEvent,
  type Dispatcher,
  type HandlerContext,
  HeraldError,
  type IntegrationEvent,
  inboxKey,
  parseEventType,
  type Subscriber,
  type UnitOfWork,
} from '../../kernel/index.ts'
import type { Database } from '../store/database.ts'
import { parseCloudEvent } from './cloud-events.ts'
import { type InboxKey, type InboxStore, inboxStore } from './inbox.ts'

/** A delivery QStash must not retry: it goes straight to the DLQ (489 + Upstash-NonRetryable-Error). */
export class NonRetryableDelivery extends HeraldError {
  constructor(code: string, message: string) {
    super(code, message, 'unprocessable')
  }
}

export type DeliveryOutcome = 'processed' | 'duplicate'

/**
 * Runs one delivery exactly once in effect: the inbox row (message id + subscriber) is staged
 * in the same batch as the handler's writes. A concurrent duplicate collides on the inbox key,
 * is retried by the runner and then finds the row.
 */
async function once(uow: UnitOfWork, inbox: InboxStore, key: InboxKey, handle: () => Promise<void>): Promise<DeliveryOutcome> {
  if (await inbox.seen(key)) return 'duplicate'
  await handle()
  uow.stage(inbox.record(key, uow.now, uow.commitId))
  return 'processed'
}

export function deliveries(deps: {
  database: Database
  runner: CommandRunner
  contracts: ContractRegistry
  subscribers: readonly Subscriber[]
  dispatcher: Dispatcher<any, HandlerContext>
}) {
  const { runner, contracts, subscribers, dispatcher } = deps
  const inbox = inboxStore(deps.database)
  const byContext = new Map(subscribers.map((s) => [s.context, s]))

  return {
    contexts: () => [...byContext.keys()],

    /** Whether `name` is a subscriber context (`subscriber`) or an after-commit handler (`handler`) this service runs. */
    knows: (kind: 'subscriber' | 'handler', name: string): boolean =>
      kind === 'subscriber' ? byContext.has(name) : dispatcher.handlerNamed(name)?.phase === 'after-commit',

    /** A CloudEvent for `context`, already signature-checked. */
    async receive(context: string, headers: Record<string, string>, body: string): Promise<DeliveryOutcome> {
      const subscriber = byContext.get(context)
      if (!subscriber) throw new NonRetryableDelivery('SUBSCRIBER.UNKNOWN', `No subscriber context "${context}"`)
      let cloudEvent: ReturnType<typeof parseCloudEvent>
      try {
        cloudEvent = parseCloudEvent(headers, body)
      } catch (error) {
        throw new NonRetryableDelivery('CLOUDEVENT.INVALID', `Not a valid CloudEvent: ${(error as Error).message}`)
      }
      const { contract, data } = readContract(contracts, cloudEvent.type, cloudEvent.data)
      const subscription = subscriber.handlerFor(contract.source, contract.name)
      if (!subscription) {
        throw new NonRetryableDelivery('SUBSCRIBER.NOT_SUBSCRIBED', `${context} does not subscribe to ${cloudEvent.type}`)
      }
      const event: IntegrationEvent = {
        id: cloudEvent.id,
        type: contract.name,
        version: contract.version,
        source: contract.source,
        subject: cloudEvent.subject ?? '',
        time: cloudEvent.time ?? '',
        data,
        correlationId: String(cloudEvent.correlationid ?? cloudEvent.id),
        causationId: cloudEvent.causationid === undefined ? null : String(cloudEvent.causationid),
        ...(cloudEvent.sequence === undefined ? {} : { sequence: Number(cloudEvent.sequence) }),
      }
      const key = { id: event.id, subscriber: inboxKey({ context, handler: subscription.handlerName }), type: cloudEvent.type }
      const { result } = await runner.run((uow) => once(uow, inbox, key, async () => subscription.handle(event, uow.context(event.id))), {
        correlationId: event.correlationId,
        causationId: event.id,
        command: subscription.handlerName,
      })
      return result
    },

    /** A durable after-commit handler job from the outbox. */
    async runJob(handlerName: string, body: string): Promise<DeliveryOutcome> {
      const registration = dispatcher.handlerNamed(handlerName)
      if (registration?.phase !== 'after-commit') {
        throw new NonRetryableDelivery('HANDLER.UNKNOWN', `No after-commit handler "${handlerName}"`)
      }
      let job: { jobId: string; event: DomainEvent }
      try {
        job = JSON.parse(body)
        if (typeof job.jobId !== 'string' || typeof job.event?.type !== 'string') throw new Error('missing jobId or event')
      } catch (error) {
        throw new NonRetryableDelivery('JOB.INVALID', `Malformed job: ${(error as Error).message}`)
      }
      const key = { id: job.jobId, subscriber: inboxKey({ job: handlerName }), type: job.event.type }
      const { result } = await runner.run((uow) => once(uow, inbox, key, async () => registration.handle(job.event, uow.context(job.event.id))), {
        correlationId: job.event.correlationId,
        causationId: job.event.id,
        command: handlerName,
      })
      return result
    },
  }
}

export type Deliveries = ReturnType<typeof deliveries>

function readContract(contracts: ContractRegistry, type: string, data: unknown) {
  if (!parseEventType(type)) throw new NonRetryableDelivery('CONTRACT.UNKNOWN_TYPE', `Unknown event type ${type}`)
  try {
    return contracts.read(type, data)
  } catch (error) {
    if (error instanceof HeraldError) throw new NonRetryableDelivery(error.code, error.message)
    throw error
  }
}
