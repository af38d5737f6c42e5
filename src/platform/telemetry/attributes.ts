/**
 * Attribute names from the OpenTelemetry semantic conventions (messaging, CloudEvents, HTTP, DB).
 * The messaging and CloudEvents ones are still "incubating", and the conventions ask users to copy
 * incubating names rather than import them (https://github.com/open-telemetry/opentelemetry-js/tree/main/semantic-conventions#unstable-semconv).
 *
 * What goes into an attribute is chosen field by field: ids, types, names and counts only. Never
 * a body, a header value other than these, a card number, a signature, a token, an email or a name.
 */
export const MESSAGING_SYSTEM = 'messaging.system'
export const MESSAGING_DESTINATION_NAME = 'messaging.destination.name'
export const MESSAGING_MESSAGE_ID = 'messaging.message.id'
export const MESSAGING_OPERATION_TYPE = 'messaging.operation.type'
export const MESSAGING_OPERATION_NAME = 'messaging.operation.name'
export const MESSAGING_CONSUMER_GROUP_NAME = 'messaging.consumer.group.name'
export const MESSAGING_CONVERSATION_ID = 'messaging.message.conversation_id'
export const CLOUDEVENTS_EVENT_ID = 'cloudevents.event_id'
export const CLOUDEVENTS_EVENT_TYPE = 'cloudevents.event_type'
export const CLOUDEVENTS_EVENT_SOURCE = 'cloudevents.event_source'
export const CLOUDEVENTS_EVENT_SUBJECT = 'cloudevents.event_subject'
export const DB_BATCH_SIZE = 'db.operation.batch.size'

/** QStash is the broker on every runtime (the local dev broker speaks its API). */
export const QSTASH = 'qstash'

/** The name Herald's tracer and meter go by. */
export const INSTRUMENTATION_SCOPE = 'herald'

/** What a CloudEvent (or an after-commit job) says about itself, as span attributes. */
export interface MessageIdentity {
  readonly id?: string | undefined
  readonly type?: string | undefined
  readonly source?: string | undefined
  readonly subject?: string | undefined
}

export function messageAttributes(message: MessageIdentity, operation: 'send' | 'process'): Record<string, string> {
  const attributes: Record<string, string> = { [MESSAGING_SYSTEM]: QSTASH, [MESSAGING_OPERATION_TYPE]: operation }
  if (message.type) attributes[MESSAGING_DESTINATION_NAME] = message.type
  if (message.id) attributes[MESSAGING_MESSAGE_ID] = message.id
  if (message.id) attributes[CLOUDEVENTS_EVENT_ID] = message.id
  if (message.type) attributes[CLOUDEVENTS_EVENT_TYPE] = message.type
  if (message.source) attributes[CLOUDEVENTS_EVENT_SOURCE] = message.source
  if (message.subject) attributes[CLOUDEVENTS_EVENT_SUBJECT] = message.subject
  return attributes
}
