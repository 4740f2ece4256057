/**
 * A real Dovecot for integration tests: one ordinary process on 127.0.0.1 with its own
 * temporary directory, config, users, mail and (optionally) a certificate signed by a
 * throw-away CA. Used by the IMAP destination tests; nothing is shared between two servers.
 *
 * Privileges: as root (CI), Dovecot drops to Debian's `dovenull` (login) and `dovecot`
 * (internal) users and stores mail as uid/gid 65534 (nobody), so the temporary directory is
 * made traversable and the mail directory is given to that uid. As anyone else, every
 * service runs as the current user (default_*_user set to it, no chroot), which needs no
 * extra rights but a user name the system knows.
 *
 * Dovecot counts a loopback client as secured, so even with `ssl = required` it accepts a
 * clear-text login on the plain port; TLS tests therefore choose implicit TLS or STARTTLS
 * themselves. Config syntax follows `dovecot --version`: 2.3 (Debian 12, Ubuntu 24.04) is
 * what these tests ran on; the 2.4 variant is written from Dovecot's upgrade guide.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ChatMessage } from '../../src/core/model.js';
import type { RenderedItem } from '../../src/destinations/types.js';
import type { DestinationInput } from '../../src/server/contract.js';
import { messageIdFor, renderMime } from '../../src/render/index.js';
import { fakeBytes, sampleCases } from './render-fixtures.js';

const run = promisify(execFile);

export interface DovecotUser {
  name: string;
  password: string;
}

export interface DovecotOptions {
  /** mail users (default: alice, bob and carol at example.com) */
  users?: DovecotUser[];
  /** `ssl = required`, an implicit-TLS port and a certificate signed by a temporary CA */
  tls?: boolean;
  /** a master user who logs in as anyone with `mailbox*master` */
  masterUser?: DovecotUser;
  /** bytes: larger messages are refused with `NO [LIMIT]` (quota plugin) */
  maxMailSize?: number;
  /** bytes of storage per user: beyond it APPEND fails with `NO [OVERQUOTA]` */
  quotaBytes?: number;
  /** advertise `APPENDLIMIT=<n>` (RFC 7889), which Dovecot 2.3 does not do by itself */
  appendLimit?: number;
  /** fsync every saved message as a production server does (default off: tests run faster) */
  fsync?: boolean;
  /**
   * Accept SASL XOAUTH2/OAUTHBEARER, checking each token with this RFC 7662 introspection
   * endpoint (POST token=...; the answer's `username` must be the login name).
   */
  oauth2IntrospectionUrl?: string;
}

export interface Dovecot {
  host: string;
  /** plain IMAP (STARTTLS offered and, with tls, required before login) */
  port: number;
  /** implicit TLS, with tls only */
  tlsPort?: number;
  /** PEM of the CA that signed the server certificate, with tls only */
  ca?: string;
  users: DovecotUser[];
  masterUser?: DovecotUser;
  /** `dovecot --version`, e.g. `2.3.19.1` */
  version: string;
  dir: string;
  /** Dovecot's own log so far */
  log(): Promise<string>;
  stop(): Promise<void>;
}

const DEFAULT_USERS: DovecotUser[] = [
  { name: 'alice@example.com', password: 'alice-secret' },
  { name: 'bob@example.com', password: 'bob-secret' },
  { name: 'carol@example.com', password: 'carol-secret' },
];

/** uid/gid of `nobody` on Debian: the mail owner when the tests run as root. */
const NOBODY = 65534;

async function dovecotBinary(): Promise<string> {
  for (const bin of ['dovecot', '/usr/sbin/dovecot']) {
    try {
      await run(bin, ['--version']);
      return bin;
    } catch {
      // try the next place: /usr/sbin is not on a non-root PATH everywhere
    }
  }
  throw new Error('dovecot is not installed (Debian/Ubuntu: apt-get install dovecot-imapd)');
}

/** A port free right now: the kernel picks one for a listener that is closed at once. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function makeCertificates(dir: string): Promise<string> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const f = (name: string) => join(dir, name);
  await run('openssl', [
    ...['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2'],
    ...['-subj', '/CN=WeChat Archiver test CA', '-addext', 'basicConstraints=critical,CA:TRUE'],
    ...['-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
  ]);
  await run('openssl', ['req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost']);
  await writeFile(
    f('server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
  );
  await run('openssl', [
    ...['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-set_serial', '1'],
    ...['-days', '2', '-out', f('server.crt'), '-extfile', f('server.ext')],
  ]);
  return readFile(f('ca.crt'), 'utf8');
}

interface Identity {
  loginUser: string;
  internalUser: string;
  internalGroup: string;
  uid: number;
  gid: number;
}

async function identity(): Promise<Identity> {
  if (process.getuid?.() === 0) {
    return { loginUser: 'dovenull', internalUser: 'dovecot', internalGroup: 'dovecot', uid: NOBODY, gid: NOBODY };
  }
  const me = userInfo();
  const group = (await run('id', ['-gn'])).stdout.trim();
  return { loginUser: me.username, internalUser: me.username, internalGroup: group, uid: me.uid, gid: me.gid };
}

interface Layout {
  dir: string;
  port: number;
  tlsPort: number;
  tls: boolean;
  master: boolean;
  id: Identity;
  opts: DovecotOptions;
}

/**
 * Settings whose syntax is the same in 2.3 and 2.4; `reuse` is the version's spelling of "a
 * process serves any number of connections" (2.3 `service_count = 0`, 2.4
 * `restart_request_count = unlimited`).
 *
 * Login and mail processes are reused: by default Dovecot forks a new imap-login process for every
 * connection and a new imap process for every login (its high-security mode), which cost the
 * server about 35 ms of CPU per session here (300 sessions of LOGIN, APPEND and LOGOUT: 10.9 s of
 * the machine's CPU); with both reused, as Dovecot's high-performance mode does for login
 * processes, about 2.3 ms (0.9 s). Each mail process still serves one connection at a time
 * (`client_limit` 1, Dovecot's default and recommendation), every test user has the same uid,
 * and every login is still logged.
 */
function commonConfig(l: Layout, reuse: string): string {
  return `base_dir = ${l.dir}/run
state_dir = ${l.dir}/state
log_path = ${l.dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
auth_mechanisms = plain login${l.opts.oauth2IntrospectionUrl ? ' xoauth2 oauthbearer' : ''}
auth_master_user_separator = *
default_login_user = ${l.id.loginUser}
default_internal_user = ${l.id.internalUser}
default_internal_group = ${l.id.internalGroup}
first_valid_uid = 1
first_valid_gid = 1
mail_max_userip_connections = 100
mail_fsync = ${l.opts.fsync ? 'optimized' : 'never'}
# Refused logins answer at once: the default 2 s delay, growing per failure by anvil's auth
# penalty (switched off by closing its socket, as Dovecot's docs say), would slow the tests.
auth_failure_delay = 0
service imap-login {
  chroot =
  ${reuse}
  inet_listener imap {
    address = 127.0.0.1
    port = ${l.port}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${l.tlsPort}
    ssl = yes
  }
}
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service imap {
  ${reuse}
}
`;
}

function config23(l: Layout): string {
  const { opts } = l;
  const quota = opts.maxMailSize !== undefined || opts.quotaBytes !== undefined;
  let c = commonConfig(l, 'service_count = 0');
  c += `mail_location = maildir:${l.dir}/mail/%u\ndisable_plaintext_auth = no\n`;
  c += l.tls ? `ssl = required\nssl_cert = <${l.dir}/server.crt\nssl_key = <${l.dir}/server.key\n` : 'ssl = no\n';
  if (l.master) {
    c += `passdb {\n  driver = passwd-file\n  args = username_format=%u ${l.dir}/masters\n  master = yes\n  pass = yes\n}\n`;
  }
  if (opts.oauth2IntrospectionUrl) {
    c += `passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = ${l.dir}/oauth2.conf\n}\n`;
  }
  c += `passdb {\n  driver = passwd-file\n  args = username_format=%u ${l.dir}/users\n}\n`;
  c += `userdb {\n  driver = passwd-file\n  args = username_format=%u ${l.dir}/users\n}\n`;
  if (quota) {
    c += 'mail_plugins = $mail_plugins quota\nprotocol imap {\n  mail_plugins = $mail_plugins imap_quota\n}\n';
    c += 'plugin {\n  quota = count:User quota\n  quota_vsizes = yes\n';
    if (opts.quotaBytes !== undefined) c += `  quota_rule = *:storage=${opts.quotaBytes}B\n`;
    if (opts.maxMailSize !== undefined) c += `  quota_max_mail_size = ${opts.maxMailSize}B\n`;
    c += '}\n';
  }
  if (opts.appendLimit !== undefined) c += `imap_capability = +APPENDLIMIT=${opts.appendLimit}\n`;
  return c;
}

/**
 * Dovecot 2.4 renamed most settings and made `dovecot_config_version` mandatory as the first
 * line; written from its upgrade guide (2.3 is what Debian 12 and Ubuntu 24.04 ship).
 */
function config24(l: Layout): string {
  const { opts } = l;
  const quota = opts.maxMailSize !== undefined || opts.quotaBytes !== undefined;
  let c =
    'dovecot_config_version = 2.4.0\ndovecot_storage_version = 2.4.0\n' +
    commonConfig(l, 'restart_request_count = unlimited');
  c += `mail_driver = maildir\nmail_home = ${l.dir}/mail/%{user}\nmail_path = ${l.dir}/mail/%{user}\n`;
  c += 'auth_allow_cleartext = yes\n';
  c += l.tls
    ? `ssl = required\nssl_server_cert_file = ${l.dir}/server.crt\nssl_server_key_file = ${l.dir}/server.key\n`
    : 'ssl = no\n';
  if (l.master) {
    c += `passdb masters {\n  driver = passwd-file\n  passwd_file_path = ${l.dir}/masters\n  master = yes\n  result_success = continue\n}\n`;
  }
  if (opts.oauth2IntrospectionUrl) {
    c += `passdb oauth2 {\n  mechanisms_filter = xoauth2 oauthbearer\n  oauth2 {\n    introspection_mode = post\n`;
    c += `    introspection_url = ${opts.oauth2IntrospectionUrl}\n    username_attribute = username\n  }\n}\n`;
  }
  c += `passdb users {\n  driver = passwd-file\n  passwd_file_path = ${l.dir}/users\n}\n`;
  c += `userdb users {\n  driver = passwd-file\n  passwd_file_path = ${l.dir}/users\n}\n`;
  if (quota) {
    c += 'mail_plugins {\n  quota = yes\n}\nprotocol imap {\n  mail_plugins {\n    imap_quota = yes\n  }\n}\n';
    if (opts.quotaBytes !== undefined) c += `quota_storage_size = ${opts.quotaBytes}B\n`;
    if (opts.maxMailSize !== undefined) c += `quota_mail_size = ${opts.maxMailSize}B\n`;
    c += 'quota "User quota" {\n  driver = count\n}\n';
  }
  if (opts.appendLimit !== undefined) c += `imap_capability {\n  APPENDLIMIT=${opts.appendLimit} = yes\n}\n`;
  return c;
}

function checkUser(u: DovecotUser): void {
  if (/[:\s]/.test(u.name + u.password)) throw new Error(`dovecot test user ${u.name}: no ':' or spaces allowed`);
}

/** Resolves once the server greets with `* OK`; rejects on timeout or when Dovecot exits. */
async function waitForGreeting(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`dovecot exited (${child.exitCode})`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.setTimeout(1000, () => s.destroy());
      s.once('data', (d) => {
        resolve(d.toString('latin1').startsWith('* OK'));
        s.destroy();
      });
      s.once('error', () => resolve(false));
      s.once('close', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`dovecot did not greet on port ${port} within ${timeoutMs} ms`);
}

export async function startDovecot(opts: DovecotOptions = {}): Promise<Dovecot> {
  const bin = await dovecotBinary();
  const version = (await run(bin, ['--version'])).stdout.trim().split(/\s+/)[0] ?? '';
  const users = opts.users ?? DEFAULT_USERS;
  users.forEach(checkUser);
  if (opts.masterUser) checkUser(opts.masterUser);
  const dir = await mkdtemp(join(tmpdir(), 'wxa-dovecot-'));
  const id = await identity();
  const tls = opts.tls === true;
  const layout: Layout = {
    dir,
    port: await freePort(),
    tlsPort: tls ? await freePort() : 0,
    tls,
    master: opts.masterUser !== undefined,
    id,
    opts,
  };
  // Mail processes run as id.uid: they must be able to reach the mail directory.
  await chmod(dir, 0o755);
  await mkdir(join(dir, 'mail'));
  if (process.getuid?.() === 0) await chown(join(dir, 'mail'), id.uid, id.gid);
  const ca = tls ? await makeCertificates(dir) : undefined;
  const home = (u: DovecotUser) => join(dir, 'mail', u.name);
  await writeFile(
    join(dir, 'users'),
    users.map((u) => `${u.name}:{PLAIN}${u.password}:${id.uid}:${id.gid}::${home(u)}::\n`).join(''),
  );
  if (opts.masterUser)
    await writeFile(join(dir, 'masters'), `${opts.masterUser.name}:{PLAIN}${opts.masterUser.password}\n`);
  if (opts.oauth2IntrospectionUrl) {
    await writeFile(
      join(dir, 'oauth2.conf'),
      `introspection_mode = post\nintrospection_url = ${opts.oauth2IntrospectionUrl}\nusername_attribute = username\n`,
    );
  }
  const is24 = /^2\.([4-9]|\d\d)|^[3-9]\./.test(version);
  const confPath = join(dir, 'dovecot.conf');
  await writeFile(confPath, is24 ? config24(layout) : config23(layout));

  const child = spawn(bin, ['-c', confPath, '-F'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  // A test run that dies without calling stop() must not leave a server behind.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.off('exit', reap);
      resolve();
    }),
  );
  const log = async () => {
    const file = await readFile(join(dir, 'dovecot.log'), 'utf8').catch(() => '');
    return file || output;
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // Dovecot's orderly shutdown takes about a second; a test server has nothing to save,
      // so it gets a moment and is then killed (its children exit when the master is gone).
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 200);
      await exited;
      clearTimeout(killer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForGreeting(layout.port, child, 15_000);
  } catch (err) {
    const text = `${output}\n${await log()}`.trim();
    await stop();
    throw new Error(`Dovecot ${version} failed to start: ${(err as Error).message}\n${text}`);
  }
  return {
    host: '127.0.0.1',
    port: layout.port,
    tlsPort: tls ? layout.tlsPort : undefined,
    ca,
    users,
    masterUser: opts.masterUser,
    version,
    dir,
    log,
    stop,
  };
}

/** A RenderedItem as the delivery stage builds it, from a sample message and its context. */
function rendered(msg: ChatMessage, ctx: Parameters<typeof renderMime>[1]): RenderedItem {
  return {
    key: msg.key,
    messageId: messageIdFor(msg.key),
    mime: renderMime(msg, ctx),
    time: msg.time,
    model: msg,
    attachments: msg.attachments.map((ref, i) => ({ ref, bytes: ctx.attachmentBytes(i) })),
  };
}

/** Every sample message of the renderer, rendered: one item per content kind. */
export function renderedSamples(): RenderedItem[] {
  return sampleCases().map((c) => rendered(c.msg, c.ctx));
}

/** `count` distinct small text items (keys `<prefix>-<n>`), a minute apart. */
export function textItems(count: number, prefix = 'bulk'): RenderedItem[] {
  const base = sampleCases().find((c) => c.name === 'text');
  if (!base) throw new Error('the renderer fixtures have no text sample');
  return Array.from({ length: count }, (_, i) => {
    const msgid = `${prefix}-${i}`;
    const msg = { ...base.msg, msgid, key: `${base.msg.key}:${msgid}`, time: base.msg.time + i * 60_000 };
    return rendered(msg, base.ctx);
  });
}

/** A file message whose attachment has `size` bytes. */
export function largeItem(size: number): RenderedItem {
  const base = sampleCases().find((c) => c.name === 'file');
  if (!base) throw new Error('the renderer fixtures have no file sample');
  const bytes = fakeBytes('large', size);
  const ref = { ...(base.msg.attachments[0] as ChatMessage['attachments'][number]), size };
  const msg = { ...base.msg, msgid: 'large-1', key: `${base.msg.key}:large`, attachments: [ref] };
  return rendered(msg, { ...base.ctx, attachmentBytes: (i) => (i === 0 ? bytes : undefined) });
}

type WizardImap = Extract<DestinationInput, { kind: 'imap' }>;

/** The wizard's IMAP destination for this Dovecot over STARTTLS with its private CA, logging in as `masterUser`. */
export function wizardImap(
  d: Dovecot,
  masterUser: string,
  checkMailbox: string,
  over: Partial<WizardImap> = {},
): WizardImap {
  return {
    kind: 'imap',
    host: d.host,
    port: d.port,
    secure: false,
    authKind: 'master',
    masterUser,
    checkMailbox,
    ca: d.ca!,
    ...over,
  };
}
