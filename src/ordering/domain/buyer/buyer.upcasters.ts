import { EventUpcasters } from '../../../kernel/index.ts'

/** Stored Buyer events of older shapes, brought up to date on read. */
export const buyerUpcasters = new EventUpcasters()
  // v2 records the channel the buyer came through.
  .register('BuyerRegistered', 1, (v1: object) => ({ ...v1, channel: 'unknown' }))
