/**
 * A real S3 service for the blob store tests: Debian's Ceph (radosgw + one monitor + one OSD on
 * memstore) as a throw-away single-node cluster in a temporary directory, on free loopback
 * ports, with one S3 user. Started once per test file (about 15 s on a loaded 2-core machine,
 * most of it radosgw creating its pools) and stopped with its directory removed.
 *
 * Settings that make one node work: pools of size 1 and 8 placement groups, no cephx (auth
 * none, so the messenger must be told to use crc mode: the monitor client's default "secure"
 * mode needs cephx and otherwise fails with EACCES), msgr2 only. Needs the radosgw, ceph-mon,
 * ceph-osd and ceph-common packages (see .ci/run).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './dovecot.js';

const run = promisify(execFile);

export interface Radosgw {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `ceph --version`, e.g. "16.2.15 (…) pacific (stable)" */
  version: string;
  dir: string;
  /** milliseconds from start to the first S3 answer */
  startMs: number;
  /** radosgw's own log so far */
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** Whether the Ceph binaries are installed (the tests say so plainly when they are not). */
export async function radosgwInstalled(): Promise<boolean> {
  try {
    await run('radosgw', ['--version']);
    await run('ceph-mon', ['--version']);
    await run('ceph-osd', ['--version']);
    return true;
  } catch {
    return false;
  }
}

function cephConf(dir: string, fsid: string, monPort: number, rgwPort: number): string {
  return `[global]
fsid = ${fsid}
mon host = [v2:127.0.0.1:${monPort}]
public addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
ms bind msgr1 = false
ms mon client mode = crc
ms client mode = crc
ms service mode = crc
ms cluster mode = crc
run dir = ${dir}/run
admin socket = ${dir}/run/$name.asok
log file = ${dir}/log/$name.log
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
mon data avail warn = 1
mon data avail crit = 0
[mon.a]
mon data = ${dir}/mon
[osd]
osd data = ${dir}/osd
osd objectstore = memstore
memstore device bytes = 2147483648
osd max object name len = 460
osd max object namespace len = 64
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
rgw data = ${dir}/rgw
rgw enable usage log = false
`;
}

async function waitForHttp(url: string, children: ChildProcess[], timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const dead = children.find((c) => c.exitCode !== null);
    if (dead) throw new Error(`${dead.spawnfile} exited with ${String(dead.exitCode)} while radosgw was starting`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      return;
    } catch {
      if (Date.now() > until) throw new Error(`radosgw did not answer at ${url} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export async function startRadosgw(): Promise<Radosgw> {
  const t0 = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'wxa-rgw-'));
  for (const d of ['mon', 'osd', 'run', 'log', 'rgw']) await mkdir(join(dir, d));
  const fsid = randomUUID();
  const monPort = await freePort();
  const rgwPort = await freePort();
  const conf = join(dir, 'ceph.conf');
  await writeFile(conf, cephConf(dir, fsid, monPort, rgwPort));
  const c = ['-c', conf];
  const children: ChildProcess[] = [];
  const daemon = (bin: string, args: string[]) => {
    // -f: foreground, logging to the file named in ceph.conf; stopped by pid in stop().
    const child = spawn(bin, [...c, '-f', ...args], { stdio: 'ignore' });
    children.push(child);
    return child;
  };
  const stop = async () => {
    for (const child of [...children].reverse()) await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const { stdout: version } = await run('ceph', ['--version']);
    await run('monmaptool', [
      '--create',
      '--addv',
      'a',
      `[v2:127.0.0.1:${monPort}]`,
      '--fsid',
      fsid,
      join(dir, 'monmap'),
    ]);
    await run('ceph-mon', [...c, '--mkfs', '-i', 'a', '--monmap', join(dir, 'monmap')]);
    daemon('ceph-mon', ['-i', 'a']);
    const { stdout: osdId } = await run('ceph', [...c, '--connect-timeout', '30', 'osd', 'create']);
    await run('ceph-osd', [...c, '-i', osdId.trim(), '--mkfs']);
    daemon('ceph-osd', ['-i', osdId.trim()]);
    daemon('radosgw', ['-n', 'client.rgw', '--rados-mount-timeout=60']);
    await waitForHttp(`http://127.0.0.1:${rgwPort}/`, children, 90_000);
    const accessKeyId = `AK${randomUUID().replace(/-/g, '').slice(0, 18).toUpperCase()}`;
    const secretAccessKey = randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '');
    await run('radosgw-admin', [
      ...c,
      '-n',
      'client.admin',
      'user',
      'create',
      '--uid=archiver',
      '--display-name=archiver',
      `--access-key=${accessKeyId}`,
      `--secret=${secretAccessKey}`,
    ]);
    return {
      endpoint: `http://127.0.0.1:${rgwPort}`,
      accessKeyId,
      secretAccessKey,
      version: version.trim().replace(/^ceph version /, ''),
      dir,
      startMs: Date.now() - t0,
      log: () => readFile(join(dir, 'log', 'client.rgw.log'), 'utf8').catch(() => ''),
      stop,
    };
  } catch (err) {
    const log = await readFile(join(dir, 'log', 'client.rgw.log'), 'utf8').catch(() => '');
    await stop();
    throw new Error(`the Ceph test cluster did not start: ${(err as Error).message}\n${log.slice(-2000)}`, {
      cause: err,
    });
  }
}
