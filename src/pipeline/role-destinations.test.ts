// A worker keeps its destinations (and their connection pools) from pass to pass: the same
// objects while the settings are unchanged, new ones (the old closed) when they change, and
// every one closed when its connector goes or the worker stops.
import { describe, expect, it, vi } from 'vitest';
import { connectorSchema, type ConnectorConfig } from '../config/schema.js';
import { KeptDestinations } from './role-destinations.js';

function connector(id: string, host: string): ConnectorConfig {
  return connectorSchema.parse({
    id,
    source: { kind: 'sandbox', dir: '/nonexistent' },
    destinations: [
      { kind: 'archive' },
      {
        kind: 'imap',
        host,
        port: 143,
        secure: false,
        starttls: false,
        auth: { kind: 'master', masterUser: 'archiver', password: 'secret' },
        checkMailbox: 'check@example.com',
      },
    ],
  });
}

describe('KeptDestinations', () => {
  it('hands out the same destinations while the settings stay the same', async () => {
    const kept = new KeptDestinations({});
    const a = await kept.of(connector('bank', 'imap.example.com'));
    const b = await kept.of(connector('bank', 'imap.example.com'));
    expect(a.map((d) => d.id)).toEqual(['imap']);
    expect(b).toBe(a);
    await kept.close();
  });

  it('builds new ones when the settings change, closing the old', async () => {
    const kept = new KeptDestinations({});
    const a = await kept.of(connector('bank', 'imap.example.com'));
    const closed = vi.spyOn(a[0]!.destination, 'close');
    const b = await kept.of(connector('bank', 'imap2.example.com'));
    expect(b).not.toBe(a);
    expect(closed).toHaveBeenCalledTimes(1);
    await kept.close();
  });

  it('closes the destinations of a connector that is gone, and all of them at the end', async () => {
    const kept = new KeptDestinations({});
    const bank = await kept.of(connector('bank', 'imap.example.com'));
    const shop = await kept.of(connector('shop', 'imap.example.com'));
    const bankClosed = vi.spyOn(bank[0]!.destination, 'close');
    const shopClosed = vi.spyOn(shop[0]!.destination, 'close');
    await kept.keepOnly(new Set(['shop']));
    expect(bankClosed).toHaveBeenCalledTimes(1);
    expect(shopClosed).not.toHaveBeenCalled();
    // Asked again after it was dropped: built anew.
    expect(await kept.of(connector('bank', 'imap.example.com'))).not.toBe(bank);
    await kept.close();
    expect(shopClosed).toHaveBeenCalledTimes(1);
  });
});
