/**
 * Google Workspace mailboxes through the Gmail API: each item is imported (not sent) under a
 * "WeChat Archiver" label of every mapped participant's mailbox, dated at the item's time,
 * never marked as spam, up to Gmail's 150 MB, exactly once across crashes and retries.
 *
 * We call the documented REST endpoints directly with fetch rather than through the
 * `googleapis` package, a dependency of about 100 MB for the five calls we make:
 * - POST {token_uri} (https://oauth2.googleapis.com/token): JWT bearer grant (RFC 7523)
 * - GET  /gmail/v1/users/{userId}/labels                      users.labels.list
 * - POST /gmail/v1/users/{userId}/labels                      users.labels.create
 * - GET  /gmail/v1/users/{userId}/messages?q=rfc822msgid:...  users.messages.list
 * - POST /upload/gmail/v1/users/{userId}/messages/import      users.messages.import
 *   (uploadType=multipart up to 5 MB, uploadType=resumable above, then PUT to the session URI)
 */
export {
  GMAIL_BASE_URL,
  GMAIL_MAX_MESSAGE_BYTES,
  GMAIL_MULTIPART_MAX_BYTES,
  GMAIL_SCOPES,
  GOOGLE_TOKEN_URI,
  gmailDestinationSchema,
  type GmailDestinationConfig,
  type GmailDestinationInput,
} from './config.js';
export { createGmailDestination, type GmailDestinationDeps } from './destination.js';
export { IMPORT_QUERY } from './upload.js';
