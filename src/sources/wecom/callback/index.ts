/**
 * WeCom's callback for the archive: verifies and decrypts the vendor's notifications and
 * turns `msgaudit_notify` into a prompt to pull, so a source can react within seconds
 * without polling tightly. The test helpers (encryption, signed requests) live in
 * test/helpers/callback-request.ts, outside the shipped code.
 */
export { MSGAUDIT_NOTIFY, createCallbackHandler } from './handler.js';
export type { CallbackHandler, CallbackHandlerOptions, CallbackRequest, CallbackResponse } from './handler.js';
export { MAX_CALLBACK_BODY, startCallbackServer } from './server.js';
export type { CallbackServer, CallbackServerOptions } from './server.js';
