/**
 * WeCom's directory and consent APIs around the archive: the client, and the enrichment that
 * turns the ids an archive run met into a DirectorySnapshot.
 */
export { createDirectoryClient, DEFAULT_BASE_URL } from './client.js';
export type { AgreePair, DirectoryClient, DirectoryClientOptions } from './client.js';
export { enrichDirectory } from './enrich.js';
export type { DirectoryIds, EnrichedDirectory, EnrichOptions, LookupFailure } from './enrich.js';
export type { RetryLogger } from './http.js';
export type {
  AgreeStatus,
  CustomerGroup,
  DirectoryUser,
  ExternalContact,
  InternalGroup,
  RobotInfo,
  RoomAgree,
  SingleAgree,
} from './replies.js';
export { WecomApiError } from './wecom-errors.js';
