import { EventUpcasters } from '../../../kernel/index.ts'

/** Stored Order events of older shapes, brought up to date on read. */
export const orderUpcasters = new EventUpcasters()
  // v2 added the sales channel; orders placed before it are of unknown origin.
  .register('OrderStarted', 1, (v1: object) => ({ ...v1, channel: 'unknown' }))
