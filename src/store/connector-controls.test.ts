// The connector controls that a console process writes and role processes obey, on both dialects
// and on separate connections (as separate processes have): a run asked for is taken by exactly
// one of two capture processes looking at once, none is taken while the connector is paused and
// resuming drops it, a connector of the config file (no definition row) gets its row on first
// use, and the capture and worker reports keep their own states.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeDialects } from '../../test/helpers/dialects.js';
import { openSharedDbs, type SharedDbs } from '../../test/helpers/shared-db.js';
import {
  hasRunRequest,
  isControlPaused,
  listConnectorControls,
  reportConnectorState,
  requestRun,
  setControlPaused,
  takeRunRequests,
} from './connector-controls.js';
import type { Db } from './db.js';

describeDialects('connector controls', (t) => {
  let shared: SharedDbs;
  let a: Db;
  let b: Db;
  beforeEach(async () => {
    shared = await openSharedDbs(t, 2);
    [a, b] = shared.dbs as [Db, Db];
  });
  afterEach(async () => {
    await shared.close();
  });

  it('gives a run asked for to exactly one of two processes looking at once', async () => {
    expect(await hasRunRequest(a, ['bank'])).toBe(false);
    await requestRun(a, 'bank', 1000);
    expect(await hasRunRequest(b, ['bank', 'other'])).toBe(true);
    const taken = await Promise.all([takeRunRequests(a, ['bank']), takeRunRequests(b, ['bank'])]);
    expect(taken.flat()).toEqual(['bank']);
    expect(await hasRunRequest(a, ['bank'])).toBe(false);
  });

  it('takes no run of a paused connector, and resuming drops the request', async () => {
    await setControlPaused(a, 'bank', true, 1000);
    expect(await isControlPaused(b, 'bank')).toBe(true);
    await requestRun(a, 'bank', 1001);
    expect(await hasRunRequest(b, ['bank'])).toBe(false);
    expect(await takeRunRequests(b, ['bank'])).toEqual([]);
    await setControlPaused(a, 'bank', false, 1002);
    expect(await isControlPaused(b, 'bank')).toBe(false);
    expect(await hasRunRequest(b, ['bank'])).toBe(false);
    expect(await isControlPaused(b, 'never-touched')).toBe(false);
  });

  it("keeps the capture's and the worker's reports apart, and the pause with them", async () => {
    await setControlPaused(a, 'bank', true, 1000);
    await reportConnectorState(
      a,
      'bank',
      { role: 'capture', state: 'failing', detail: 'source refused', nextRunAt: 9000 },
      2000,
    );
    await reportConnectorState(b, 'bank', { role: 'worker', state: 'idle', detail: null }, 3000);
    const c = (await listConnectorControls(a)).get('bank');
    expect(c).toEqual({
      connectorId: 'bank',
      paused: true,
      runRequestedAt: null,
      captureState: 'failing',
      captureDetail: 'source refused',
      workerState: 'idle',
      workerDetail: null,
      nextRunAt: 9000,
      reportedAt: 3000,
    });
  });
});
