/**
 * A real RFC 3161 time-stamping authority for tests: OpenSSL's `openssl ts -reply` behind a
 * tiny HTTP server (the transport of RFC 3161 section 3.4), signing with a TSA certificate
 * issued by a test CA made here with openssl. Nothing about the protocol is simulated.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestTsa {
  url: string;
  /** the CA certificate (PEM) that a verifier must trust */
  caFile: string;
  /** the TSA's own certificate (PEM) */
  tsaCertFile: string;
  /** requests answered */
  requests: number;
  close(): Promise<void>;
}

const CONFIG = (dir: string) => `
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = ${dir}
serial = ${dir}/serial
crypto_device = builtin
signer_cert = ${dir}/tsa.crt
certs = ${dir}/ca.crt
signer_key = ${dir}/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
[ tsa_ext ]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
`;

/** Makes a CA and a TSA certificate, and starts the server on a free loopback port. */
export async function startTestTsa(): Promise<TestTsa> {
  const dir = await mkdtemp(join(tmpdir(), 'wxa-tsa-'));
  const f = (n: string) => join(dir, n);
  await writeFile(f('openssl.cnf'), CONFIG(dir));
  await writeFile(f('serial'), '01\n');
  await run(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt')].concat([
      '-days',
      '30',
      '-subj',
      '/CN=Test Root CA',
      '-addext',
      'basicConstraints=critical,CA:true',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]),
  );
  await run('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('tsa.key'),
    '-out',
    f('tsa.csr'),
    '-subj',
    '/CN=Test TSA',
  ]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    f('tsa.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('tsa.crt'),
    '-days',
    '30',
    '-extfile',
    f('openssl.cnf'),
    '-extensions',
    'tsa_ext',
  ]);
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const id = ++n;
        const q = f(`req-${id}.tsq`);
        const r = f(`resp-${id}.tsr`);
        try {
          if (req.method !== 'POST' || req.headers['content-type'] !== 'application/timestamp-query') {
            res.writeHead(415).end();
            return;
          }
          await writeFile(q, Buffer.concat(chunks));
          await run('openssl', ['ts', '-reply', '-config', f('openssl.cnf'), '-queryfile', q, '-out', r]);
          const body = await readFile(r);
          tsa.requests++;
          res
            .writeHead(200, { 'content-type': 'application/timestamp-reply', 'content-length': body.length })
            .end(body);
        } catch {
          res.writeHead(500).end();
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const tsa: TestTsa = {
    url: `http://127.0.0.1:${port}/tsa`,
    caFile: f('ca.crt'),
    tsaCertFile: f('tsa.crt'),
    requests: 0,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
  return tsa;
}
