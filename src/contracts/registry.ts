import { ContractRegistry } from '../kernel/index.ts'
import { catalogContracts } from './catalog.contracts.ts'
import { orderingContracts } from './ordering.contracts.ts'
import { paymentContracts } from './payment.contracts.ts'

/** Every integration-event contract Herald's contexts publish: the published language. */
export const contracts = new ContractRegistry([...orderingContracts, ...catalogContracts, ...paymentContracts])
