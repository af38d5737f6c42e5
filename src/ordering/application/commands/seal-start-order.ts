import type { Statement } from '../../../kernel/index.ts'
import type { PersonalDataVault } from '../../../platform/store/personal-data.ts'
import type { StartOrderCommand } from './start-order.ts'

/**
 * Seals the personal fields of a new order with its buyer's data key before they enter the
 * domain: the Order and Buyer state, their events and rows hold only sealed strings, so deleting
 * the key erases them everywhere (the buyer's name, email, street and card holder name). A new
 * buyer's key is written by `stage`, in the command's own commit.
 */
export async function sealStartOrder(
  vault: Pick<PersonalDataVault, 'sealAll'>,
  command: StartOrderCommand,
  stage: (...statements: Statement[]) => void,
): Promise<StartOrderCommand> {
  const { buyer, address, card } = command
  const [name = '', email = '', street = '', holderName = ''] = await vault.sealAll(buyer.id, [buyer.name, buyer.email, address.street, card.holderName], stage)
  return { ...command, buyer: { ...buyer, name, email }, address: { ...address, street }, card: { ...card, holderName } }
}
