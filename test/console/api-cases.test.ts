// Cases and holds through the console API, and the administrator's deletion path: an entry a
// hold covers answers 409 and stays; released, it can go; every attempt is audited.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant } from '../../src/sources/sandbox/index.js';
import { cliJson, tempDir } from '../helpers/cli.js';
import { startConsole, userWith, type Client, type ConsoleHarness } from '../helpers/console.js';

let h: ConsoleHarness;
let tenant: { path: string; cleanup: () => Promise<void> };
let manager: Client;
let admin: Client;

beforeAll(async () => {
  tenant = await tempDir('cases-tenant');
  await generateTenant({ outDir: join(tenant.path, 't'), seed: 5, messages: 40 });
  h = await startConsole();
  await cliJson('run', '--once', '--sandbox', join(tenant.path, 't'), '--data-dir', h.dataDir, '--workers', '0');
  manager = await userWith(h, 'mia', ['ediscovery-manager']);
  admin = await userWith(h, 'olga', ['org-admin']);
}, 300_000);

afterAll(async () => {
  await h.close();
  await tenant.cleanup();
});

async function entries(): Promise<{ item_key: string; mailbox: string }[]> {
  return h.store.db.selectFrom('mailbox_entries').select(['item_key', 'mailbox']).execute();
}

describe('cases and holds in the console API', () => {
  it('an administrator cannot delete a held entry (409, kept, audited); after release it goes', async () => {
    const all = await entries();
    const custodian = all[0]!.mailbox;
    const heldEntry = all.find((e) => e.mailbox === custodian)!;
    const other = all.find((e) => e.mailbox !== custodian)!;
    const created = await manager.request('POST', '/api/cases', { name: 'Regulator inquiry', description: '询问' });
    expect(created.statusCode).toBe(201);
    const caseId = created.json().id as number;
    const hold = await manager.request('POST', `/api/cases/${caseId}/holds`, { custodian });
    expect(hold.statusCode).toBe(201);
    const holdId = hold.json().id as number;
    expect(hold.json().items).toBe(new Set(all.filter((e) => e.mailbox === custodian).map((e) => e.item_key)).size);
    expect(hold.json().placedBy).toBe('mia');

    const url = (e: { item_key: string; mailbox: string }) =>
      `/api/items/${encodeURIComponent(e.item_key)}/entries/${encodeURIComponent(e.mailbox)}`;
    const refused = await admin.request('DELETE', url(heldEntry));
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('WXA_LEGAL_HOLD');
    expect(await entries()).toContainEqual(heldEntry);

    const ok = await admin.request('DELETE', url(other));
    expect(ok.statusCode).toBe(204);
    expect(await entries()).not.toContainEqual(other);

    const shown = await manager.request('GET', `/api/cases/${caseId}`);
    expect(shown.json().custodians).toEqual([custodian.toLowerCase()]);
    expect(shown.json().members.map((m: { username: string }) => m.username)).toEqual(['mia']);

    const rel = await manager.request('POST', `/api/cases/${caseId}/holds/${holdId}/release`, { reason: 'settled' });
    expect(rel.statusCode).toBe(200);
    expect(rel.json().status).toBe('released');
    expect((await admin.request('DELETE', url(heldEntry))).statusCode).toBe(204);
    expect(await entries()).not.toContainEqual(heldEntry);

    const audit = await h.store.db.selectFrom('audit_events').select(['actor', 'action', 'detail_json']).execute();
    const deletes = audit.filter((a) => a.action === 'item.delete');
    expect(deletes.map((d) => (JSON.parse(d.detail_json) as { outcome: string }).outcome)).toEqual([
      'refused-hold',
      'deleted',
      'deleted',
    ]);
    expect(deletes.every((d) => d.actor === 'olga')).toBe(true);
    const release = audit.find((a) => a.action === 'hold.release')!;
    expect(release.actor).toBe('mia');
    expect(JSON.parse(release.detail_json)).toMatchObject({ reason: 'settled', caseId });
    expect(audit.some((a) => a.action === 'hold.place' && a.actor === 'mia')).toBe(true);
  });
});
