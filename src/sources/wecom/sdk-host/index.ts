/**
 * The production WeCom source's access to Tencent's Finance SDK: the closed vendor library
 * loaded through FFI in a supervised child process, behind the FinanceClient seam.
 */
export {
  createSdkClient,
  type RestartPolicy,
  type RetryPolicy,
  type SdkClient,
  type SdkClientOptions,
} from './sdk-client.js';
export type { HostLogger, HostStats } from './types.js';
export { GET_CHAT_DATA_LIMIT, TokenBucket, type RateLimit } from './rate-limit.js';
export { parseChatData } from './chatdata.js';
