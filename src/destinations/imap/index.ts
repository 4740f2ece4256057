/**
 * The IMAP destination's public face: the factory, its config schema, and the types the
 * delivery stage and the config loader need.
 */
export type { TokenProvider } from './auth.js';
export { imapDestinationSchema, type ImapDestinationConfig, type ImapSettings } from './config.js';
export {
  createImapDestination,
  type ConnectionSlots,
  type ImapDestination,
  type ImapDestinationDeps,
} from './destination.js';
export { classifyImapError } from './errors.js';
export type { PoolStats } from './pool.js';
