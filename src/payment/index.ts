// Payment's public API: the context module (it has no routes).
export { payment } from './payment.ts'
