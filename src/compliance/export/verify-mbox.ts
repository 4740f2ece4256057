/**
 * verify-export's check of an mbox export's files: each mbox holds its items' archived messages,
 * in the manifest's order. What is kept of each file is a count and a chain (verify-chain.ts), so
 * memory does not grow with the items; only an mbox that differs is read again, item by item.
 */
import type { ExportProblem } from './job-types.js';
import { mboxMessageHashes } from './mboxrd.js';
import { emptyChain, extend, gatherItems, sameChain, type Chain, type ToGather } from './verify-chain.js';
import { fileInside, isItemEntry, type ItemEntry } from './verify-entries.js';

/**
 * Names each item whose message in its mbox is not its archived MIME, and each mbox that holds
 * more or fewer messages than the manifest lists items in it. `files`: each mbox's chain over its
 * items' MIME hashes, in the manifest's order; an mbox whose messages chain the same is done with
 * at once, one that differs has its items gathered again by `items` (at most `detailItems` a pass,
 * a large mbox over several passes) and its messages compared with them one by one.
 */
export async function checkMboxes(
  dir: string,
  files: ReadonlyMap<string, Chain>,
  items: () => AsyncIterable<ItemEntry>,
  problem: (p: ExportProblem) => void,
  detailItems: number,
): Promise<void> {
  const differ: ToGather[] = [];
  for (const [path, itemChain] of files) {
    // one not there, or not a regular file, is named already (by its file entry, or its items')
    const abs = fileInside(dir, path);
    if (!abs) continue;
    const messages = emptyChain();
    mboxMessageHashes(abs, (sha256) => extend(messages, sha256));
    if (!sameChain(messages, itemChain)) differ.push({ path, items: itemChain.count });
  }
  const passes = gatherItems(differ, items, (i) => (isItemEntry(i) ? { path: i.path, value: i } : undefined), {
    limit: detailItems,
    split: true,
  });
  // problems named for the file at hand, whose stretches come one after another
  let named = 0;
  for await (const pass of passes)
    for (const { path, from, values, last, count } of pass) {
      if (from === 0) named = 0;
      const name = (p: ExportProblem) => {
        named++;
        problem(p);
      };
      const abs = fileInside(dir, path);
      let n = 0;
      if (abs)
        mboxMessageHashes(abs, (got) => {
          const i = n >= from ? values[n - from] : undefined;
          n++;
          if (i && got !== i.mimeSha256)
            name({
              path: i.itemKey,
              problem: 'item-file',
              detail: `item ${i.itemKey}: message ${n} of ${path} is not its archived MIME (SHA-256 ${got}, archived ${i.mimeSha256})`,
            });
        });
      if (!last) continue;
      if (abs && n !== count)
        name({
          path,
          problem: 'item-file',
          detail: `${path} holds ${n} messages, the manifest lists ${count} items in it`,
        });
      // a file read the same both times is named above: this one (or the manifest) changed meanwhile
      if (!named)
        problem({
          path,
          problem: 'item-file',
          detail: `${path}: its messages are not the items the manifest lists in it (it or the manifest changed while it was verified)`,
        });
    }
}
