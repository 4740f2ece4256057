/**
 * Microsoft 365 mailboxes through Microsoft Graph: each item becomes a read, received message
 * (not a draft) in a "WeChat Archiver" folder of every mapped participant's mailbox, dated at
 * the item's time, with its attachments within the tenant's message size (35 MB by default, up
 * to 150 MB), exactly once across crashes and retries.
 */
export { CLOUD_ENDPOINTS, resolveEndpoints, type CloudEndpoints, type GraphCloud } from './clouds.js';
export {
  GRAPH_MAILBOX_CONCURRENCY,
  GRAPH_DEFAULT_MAX_MESSAGE_BYTES,
  GRAPH_MAILBOX_REQUESTS_PER_10_MIN,
  GRAPH_MAX_ATTACHMENT_BYTES,
  GRAPH_UPLOAD_BYTES_PER_5_MIN,
  graphDestinationSchema,
  type GraphDestinationConfig,
  type GraphDestinationInput,
} from './config.js';
export { createGraphDestination, tokenRoles, type GraphDestinationDeps } from './destination.js';
export { MESSAGE_CLASS, PROP, PROPERTY_SET } from './props.js';
export {
  CHUNK_BYTES,
  INLINE_MAX_BYTES,
  memoryUploadSessions,
  type UploadSessionRecord,
  type UploadSessionStore,
} from './upload.js';
