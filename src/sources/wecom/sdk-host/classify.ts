/**
 * What the SDK client does with each failure, by where it came from: the library's result code,
 * or the service's JSON `errcode` inside a successful GetChatData. Passing faults are retried
 * inside the client; data verdicts go to the pipeline as SdkError; faults only an operator can
 * fix stop the connector with a message that says what to do.
 */
import { ArchiverError } from '../../../core/errors.js';
import { SDK_ERRORS, SdkError } from '../client.js';

/** Library codes retried with backoff inside the client: network (10001), parse (10002), system (10003). */
export function isRetryableCode(code: number): boolean {
  return code === 10001 || code === 10002 || code === 10003;
}

/** Service errcode "system busy, try again": retried like a network error. */
export const SERVICE_BUSY = -1;

/** The error for a non-zero library result (after retries, for a retryable one). */
export function libraryError(code: number, call: string, corpId: string, detail?: string): Error {
  if (code === 10009) {
    return new ArchiverError(
      'WXA_SOURCE_FORBIDDEN',
      `WeCom refused ${call} for corp ${corpId} with code 10009: this server's public IP address is not on the conversation archive's trusted IP list; add it in the WeCom admin console (Management tools > Conversation archive) and restart the connector`,
    );
  }
  if (code === -1) {
    return new ArchiverError(
      'WXA_INTERNAL',
      `the Finance SDK host failed to run ${call}: ${detail ?? 'unknown error'}`,
    );
  }
  const meaning = SDK_ERRORS[code]?.meaning ?? 'unknown code';
  return new SdkError(code, `Finance SDK ${call} returned ${code} (${meaning})${detail ? `: ${detail}` : ''}`);
}

/**
 * The error for a GetChatData document whose `errcode` is not 0 (the C call returned 0), or
 * undefined for SERVICE_BUSY, which the caller retries.
 */
export function serviceError(errcode: number, errmsg: string, corpId: string): Error | undefined {
  const said = `WeCom answered GetChatData for corp ${corpId} with errcode ${errcode} (${errmsg || 'no message'})`;
  switch (errcode) {
    case SERVICE_BUSY:
      return undefined;
    case 48002:
    case 40001:
      return new ArchiverError(
        'WXA_SOURCE_AUTH',
        `${said}: the secret is not this corp's conversation-archive secret, or the archive is not enabled for it; put the archive Secret (Admin console > Management tools > Conversation archive, not an app's secret) in the environment variable the connector's secretEnv names, then resume the connector`,
      );
    case 40013:
      return new ArchiverError(
        'WXA_CONFIG_INVALID',
        `${said}: the corp id is not valid; copy it from the WeCom admin console (My company > Corp ID) into the connector's corpId`,
      );
    case 60020:
      return new ArchiverError(
        'WXA_SOURCE_FORBIDDEN',
        `${said}: this server's public IP address is not on the trusted IP list; add it in the WeCom admin console and restart the connector`,
      );
    case 301052:
      return new ArchiverError(
        'WXA_SOURCE_SUBSCRIPTION',
        `${said}: the conversation archive subscription has expired; renew it in the WeCom admin console, then resume the connector (the service keeps messages for 5 days only, so renew promptly)`,
      );
    default:
      return new ArchiverError('WXA_SOURCE_FAILED', `${said}; will retry on the next run`);
  }
}
