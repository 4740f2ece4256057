/**
 * The one root logger (pino). Every component logs through a child of it (`{component}` and,
 * where there is one, `{connectorId}` or `{destination}`), so an operator can filter a JSON
 * line stream by part. Two rules hold at every level: secrets never appear (redacted by key
 * below, and never passed in the first place) and message content is never passed at all.
 */
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type pretty from 'pino-pretty';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Keys whose values are credentials or regulated content, wherever they sit up to three levels
 * deep in a logged object. A belt to the braces of not passing them: a future `log.debug({ cfg })`
 * still prints `[redacted]` instead of a password.
 */
const SENSITIVE_KEYS = [
  'password',
  'passphrase',
  'secret',
  'archiveSecret',
  'clientSecret',
  'token',
  'accessToken',
  'refreshToken',
  'setupToken',
  'encodingAesKey',
  'privateKey',
  'pem',
  'masterKey',
  'authorization',
  'cookie',
  'set-cookie',
  'x-csrf-token',
  'content',
  'text',
  'body',
  'html',
  'mime',
  'raw',
];

function redactPaths(): string[] {
  const out: string[] = [];
  for (const key of SENSITIVE_KEYS) {
    const k = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    const join = (prefix: string) => (k.startsWith('[') ? `${prefix}${k}` : `${prefix}.${k}`);
    out.push(k, join('*'), join('*.*'));
  }
  return out;
}

export const REDACT_PATHS: readonly string[] = redactPaths();

export interface CreateLoggerOptions {
  level?: LogLevel;
  /** where the lines go (default: stderr); tests pass a stream they read back */
  destination?: DestinationStream;
  /** human-readable lines instead of JSON (default: when stderr is a terminal) */
  pretty?: boolean;
}

/** The options of the root logger; exported so the HTTP server's request logger matches it. */
export function loggerOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    base: { name: 'wechat-archiver' },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
  };
}

export function createLogger(opts: CreateLoggerOptions = {}): Logger {
  const level = opts.level ?? 'info';
  const wantPretty = opts.pretty ?? (opts.destination === undefined && process.stderr.isTTY === true);
  if (!wantPretty) return pino(loggerOptions(level), opts.destination ?? pino.destination({ dest: 2, sync: true }));
  // pino-pretty writes to a file descriptor or a Node stream; a caller's plain `{ write }` is wrapped.
  const target = opts.destination;
  const destination = target
    ? new Writable({
        write(chunk: Buffer, _enc, done) {
          target.write(chunk.toString());
          done();
        },
      })
    : 2;
  return pino(loggerOptions(level), loadPretty()({ destination, colorize: target === undefined, sync: true }));
}

/**
 * pino-pretty (some 30 modules) is loaded only for a logger that prints for a person: the
 * service under a service manager, the tests' processes and every command whose output is piped
 * write JSON lines and skipped its load (about 50 ms of CPU at each start).
 */
function loadPretty(): typeof pretty {
  return createRequire(import.meta.url)('pino-pretty') as typeof pretty;
}

/** A logger that writes nothing: the default where a caller passes none (library use, unit tests). */
export const silentLogger: Logger = pino({ level: 'silent' });
