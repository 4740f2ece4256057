/**
 * Deleting one mailbox's entry of an item on an administrator's request (console or CLI):
 * through the store's one deletion function, so a legal hold refuses it, and audited whether it
 * went or was refused.
 */
import { ArchiverError } from '../../core/errors.js';
import { deleteEntries, type DeletionResult, type Store } from '../../store/index.js';
import { appendAudit } from '../audit/index.js';

export async function deleteItemEntry(
  store: Store,
  req: { itemKey: string; mailbox: string; via: 'admin' | 'cli'; actor: string; ip?: string; reason?: string },
  now = Date.now(),
): Promise<DeletionResult> {
  const res = await deleteEntries(
    store.db,
    [{ itemKey: req.itemKey, mailbox: req.mailbox }],
    { kind: req.via, actor: req.actor },
    { now, blobs: store.blobs.objects },
  );
  const outcome = res.refused.length > 0 ? 'refused-hold' : res.missing.length > 0 ? 'not-found' : 'deleted';
  await appendAudit(
    store.db,
    {
      actor: req.actor,
      action: 'item.delete',
      target: req.itemKey,
      detail: {
        mailbox: req.mailbox,
        outcome,
        itemDeleted: res.itemsDeleted.length > 0,
        via: req.via,
        ...(req.reason ? { reason: req.reason } : {}),
      },
      ...(req.ip ? { ip: req.ip } : {}),
    },
    now,
  );
  if (res.refused.length > 0)
    throw new ArchiverError(
      'WXA_LEGAL_HOLD',
      `item ${req.itemKey} in ${req.mailbox} is under a legal hold and was not deleted; see \`hold list\``,
    );
  if (res.missing.length > 0)
    throw new ArchiverError('WXA_NOT_FOUND', `mailbox ${req.mailbox} has no entry of item ${req.itemKey}`);
  return res;
}
