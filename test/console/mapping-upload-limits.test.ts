// A huge mapping CSV must not stall the server: it is parsed on a worker thread while the event
// loop keeps answering and a run in the same process keeps archiving; the answer is bounded
// (every problem counted, the first 20 of each kind listed); and every route refuses a body
// over its limit with a JSON 413 before reading it.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMS_VERSION } from '../../src/connectors/definitions.js';
import type { ApiError, MappingPreview } from '../../src/server/contract.js';
import { nextRun, startConsole, userWith, type Client, type ConsoleHarness } from '../helpers/console.js';

/**
 * Lines of the huge file: enough that parsing it outlasts a whole run started after it (a bad
 * line costs the phone-number parser tens of microseconds), as many as the mapping-preview
 * benchmark parses. A million lines proved nothing more and cost a minute of the suite.
 */
const ROWS = 200_000;

let h: ConsoleHarness;
let admin: Client;

/** 17-digit numbers, one per line: 3.6 MB, a problem on every line. */
function hugeCsv(): string {
  const lines: string[] = [];
  for (let i = 0; i < ROWS; i++) lines.push(`1${String(i * 7919).padStart(16, '0')}`);
  return lines.join('\n');
}

beforeAll(async () => {
  h = await startConsole({ supervisor: true });
  admin = await userWith(h, 'ops', ['connector-admin']);
});
afterAll(async () => h?.close());

describe('mapping CSV uploads', () => {
  it('previews a 200,000-line file off the event loop while a run archives, with a bounded answer', async () => {
    const csv = hugeCsv();
    expect(Buffer.byteLength(csv)).toBeGreaterThan(3_500_000);

    const lag = monitorEventLoopDelay({ resolution: 10 });
    let previewDone = false;
    const started = Date.now();
    const preview = admin.request('POST', '/api/wizard/mapping-preview', { csv, fileName: 'huge.csv' }).then((r) => {
      previewDone = true;
      return r;
    });
    // Measure from when the request is in (its JSON is parsed on the main thread, as any body is).
    await new Promise((r) => setTimeout(r, 300));
    lag.enable();

    // The console keeps answering within a second while the file is being parsed.
    const health: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = Date.now();
      const res = await h.app.inject({ method: 'GET', url: '/api/health' });
      expect(res.statusCode).toBe(200);
      health.push(Date.now() - t);
      await new Promise((r) => setTimeout(r, 100));
    }

    // A run in the same process goes from start to end meanwhile.
    const ran = nextRun(h, 'demo');
    const created = await admin.request('POST', '/api/connectors', {
      id: 'demo',
      name: 'Demo',
      termsAccepted: TERMS_VERSION,
      source: { kind: 'sandbox', messages: 40 },
      mapping: { autoFromDirectoryEmail: true },
      destinations: [{ kind: 'archive' }],
      schedule: { intervalSeconds: 3600 },
    });
    expect(created.statusCode, created.body).toBe(201);
    await ran;
    const runFinishedWhileParsing = !previewDone;
    lag.disable();

    const res = await preview;
    const elapsed = Date.now() - started;
    expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
    expect(runFinishedWhileParsing, `preview took ${elapsed} ms`).toBe(true);
    expect(Math.max(...health), `health answers (ms): ${health.join(', ')}`).toBeLessThan(1000);
    expect(lag.max / 1e6, 'worst event-loop delay (ms) while parsing').toBeLessThan(1000);

    // Bounded: tens of KB, not hundreds of MB, with every problem still counted.
    expect(Buffer.byteLength(res.body)).toBeLessThan(64 * 1024);
    const p = res.json<MappingPreview>();
    expect(p.problemCount).toBeGreaterThanOrEqual(ROWS);
    expect(p.errorCount).toBe(p.problemCount - p.warningCount);
    expect(p.problemCounts.reduce((n, c) => n + c.count, 0)).toBe(p.problemCount);
    for (const c of p.problemCounts) {
      const listed = p.problems.filter((x) => x.code === c.code);
      expect(listed).toHaveLength(Math.min(20, c.count));
      expect(listed.map((x) => x.line)).toEqual([...listed.map((x) => x.line)].sort((a, b) => a - b));
    }
    expect(p.problems[0]?.line).toBe(1);
    console.info(`preview of ${ROWS} lines: ${elapsed} ms, answer ${Buffer.byteLength(res.body)} bytes`);
  }, 600_000);

  it('refuses to save a connector with a bad CSV listing only the first problems of each kind', async () => {
    const csv = ['userid,mailbox', ...Array.from({ length: 50_000 }, (_, i) => `user${i},not-an-address-${i}`)].join(
      '\n',
    );
    const res = await admin.request('POST', '/api/connectors', {
      id: 'bad-csv',
      name: 'Bad CSV',
      termsAccepted: TERMS_VERSION,
      source: { kind: 'sandbox', messages: 10 },
      mapping: { autoFromDirectoryEmail: false, csv, csvFileName: 'people.csv' },
      destinations: [{ kind: 'archive' }],
      schedule: { intervalSeconds: 3600 },
    });
    expect(res.statusCode, res.body.slice(0, 500)).toBe(400);
    const body = res.json<ApiError>();
    expect(body.code).toBe('WXA_MAPPING_INVALID');
    expect(body.message).toMatch(/^people\.csv has 50000 bad row\(s\) \(the first 20 of each kind are listed\)/);
    expect(body.fields?.length).toBeLessThanOrEqual(20 * 3);
    expect(body.fields?.[0]?.path).toBe('mapping.csv.line.2');
    expect(Buffer.byteLength(res.body)).toBeLessThan(32 * 1024);
    expect((await admin.request('GET', '/api/connectors/bad-csv')).statusCode).toBe(404);
  });

  it.each([
    ['the mapping preview', 'POST', '/api/wizard/mapping-preview', 26 * 1024 * 1024, /25 MiB/],
    ['a connector save', 'POST', '/api/connectors', 26 * 1024 * 1024, /25 MiB/],
    ['a destination test', 'POST', '/api/wizard/test-destination', 2 * 1024 * 1024, /1 MiB/],
    ['a login', 'POST', '/api/session', 100 * 1024, /64 KiB/],
    ['a pause', 'POST', '/api/connectors/demo/pause', 100 * 1024, /64 KiB/],
  ])('answers a body over the limit of %s with a JSON 413', async (_what, method, url, bytes, limit) => {
    const payload = JSON.stringify({ csv: 'x'.repeat(bytes) });
    const res = await admin.request(method, url, payload, { 'content-type': 'application/json' });
    expect(res.statusCode, res.body).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json<ApiError>();
    expect(body.code).toBe('WXA_BODY_TOO_LARGE');
    expect(body.message).toMatch(limit);
  });

  it('still takes a real mapping file of several MB through the preview', async () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => `user${i},,,user${i}@example.com`);
    const csv = ['userid,mobile,external id,mailbox', ...rows].join('\n');
    const p = await admin.json<MappingPreview>('POST', '/api/wizard/mapping-preview', { csv });
    expect(p.totalRows).toBe(100_000);
    expect(p.problemCount).toBe(0);
    expect(p.rows).toHaveLength(50);
  }, 120_000);
});
