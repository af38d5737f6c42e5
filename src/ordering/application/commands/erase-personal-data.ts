import { ERASED_EMAIL, ERASED_NAME } from '../../../contracts/index.ts'
import { NotFoundError, type Repository, type UnitOfWork } from '../../../kernel/index.ts'
import { redactOutbox } from '../../../platform/outbox/store.ts'
import { secureDelete } from '../../../platform/store/erasure.ts'
import type { PersonalDataVault } from '../../../platform/store/personal-data.ts'
import type { Buyer } from '../../domain/buyer/buyer.ts'

export class BuyerNotFound extends NotFoundError {
  constructor(buyerId: string) {
    super('BUYER.NOT_FOUND', `Buyer ${buyerId} does not exist`)
  }
}

export interface ErasedPersonalData {
  readonly buyerId: string
  readonly erasedAt: string
  readonly version: number
}

/**
 * `DELETE /admin/buyers/{id}/personal-data`, in ONE commit: records BuyerPersonalDataErased,
 * deletes the buyer's data key (every sealed copy becomes unreadable), and overwrites the
 * personal fields of the buyer's integration events still in the outbox: published rows keep
 * nothing, pending ones leave with the placeholders (a valid contract, so catalog still removes
 * stock for a paid order; dropping them would lose that). `secureDelete` zeroes the freed bytes
 * and has the committer scrub the file (VACUUM, WAL truncated) before the command returns.
 */
export async function erasePersonalData(
  uow: UnitOfWork,
  buyers: Repository<Buyer>,
  vault: Pick<PersonalDataVault, 'erase'>,
  buyerId: string,
): Promise<ErasedPersonalData> {
  const buyer = await uow.load(buyers, buyerId)
  if (!buyer) throw new BuyerNotFound(buyerId)
  buyer.erasePersonalData(uow.now)
  uow.stage(secureDelete)
  uow.stage(vault.erase(buyerId))
  const placeholders = { buyerName: ERASED_NAME, buyerEmail: ERASED_EMAIL, name: ERASED_NAME, email: ERASED_EMAIL }
  for (const statement of redactOutbox({ field: 'buyerId', value: buyerId }, placeholders)) uow.stage(statement)
  return { buyerId, erasedAt: uow.now, version: buyer.version }
}
