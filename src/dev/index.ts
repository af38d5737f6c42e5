export { type Broker, startBroker } from './broker.ts'
export { type Clock, systemClock } from './clock.ts'
export {
  type BrokerOptions,
  DEFAULT_DB_URL,
  DEFAULT_PORT,
  DEV_CURRENT_SIGNING_KEY,
  DEV_NEXT_SIGNING_KEY,
  DEV_TOKEN,
  optionsFromEnv,
} from './config.ts'
