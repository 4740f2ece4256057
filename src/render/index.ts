/**
 * The renderer's public face: a canonical ChatMessage in, one RFC 5322 message with
 * deterministic bytes out, plus the ids destinations use to find what they already hold.
 */
export { addressFor, INVALID_DOMAIN } from './addresses.js';
export type { RenderContext } from './context.js';
export { messageIdFor, threadIdFor } from './headers.js';
export {
  RENDER_VERSION,
  assembleMime,
  renderMime,
  renderMimeParts,
  senderOf,
  subjectFor,
  type MimeParts,
} from './mime.js';
export { base64Lines } from './transfer-encoding.js';
