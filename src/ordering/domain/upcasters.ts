import { EventUpcasters } from '../../kernel/index.ts'
import { buyerUpcasters } from './buyer/buyer.upcasters.ts'
import { orderUpcasters } from './order/order.upcasters.ts'

/** Every Ordering upcaster, for the event store's read side. */
export const orderingUpcasters = new EventUpcasters().include(orderUpcasters).include(buyerUpcasters)
