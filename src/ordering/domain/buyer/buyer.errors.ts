import { DomainError } from '../../../kernel/index.ts'

export class CardExpired extends DomainError {
  constructor(expiration: string) {
    super('BUYER.CARD_EXPIRED', `The card expired (${expiration})`, 'unprocessable', { expiration })
  }
}
