import { describe, expect, it } from 'vitest';
import { SdkError } from '../client.js';
import { isRetryableCode, libraryError, serviceError } from './classify.js';

describe('classify', () => {
  it('retries only the network, parse and system codes', () => {
    expect([10000, 10001, 10002, 10003, 10004, 10007, 10009, 10010].filter(isRetryableCode)).toEqual([
      10001, 10002, 10003,
    ]);
  });

  it('turns 10009 into a configuration error and other codes into SdkError for the pipeline', () => {
    expect(libraryError(10009, 'GetChatData', 'ww1')).toMatchObject({ code: 'WXA_SOURCE_FORBIDDEN', kind: 'config' });
    for (const code of [10005, 10007, 10010, 10011]) {
      const err = libraryError(code, 'GetMediaData', 'ww1');
      expect(err).toBeInstanceOf(SdkError);
      expect(err).toMatchObject({ sdkCode: code });
    }
    expect(libraryError(-1, 'DecryptData', 'ww1', 'boom')).toMatchObject({ code: 'WXA_INTERNAL' });
  });

  it('maps service errcodes to what stops the connector, and busy to a retry', () => {
    expect(serviceError(48002, 'api forbidden', 'ww1')).toMatchObject({ code: 'WXA_SOURCE_AUTH', kind: 'auth' });
    expect(serviceError(301052, 'expired', 'ww1')).toMatchObject({ code: 'WXA_SOURCE_SUBSCRIPTION', kind: 'config' });
    expect(serviceError(40013, 'invalid corpid', 'ww1')).toMatchObject({ code: 'WXA_CONFIG_INVALID' });
    expect(serviceError(60020, 'ip', 'ww1')).toMatchObject({ code: 'WXA_SOURCE_FORBIDDEN' });
    expect(serviceError(45009, 'freq', 'ww1')).toMatchObject({ code: 'WXA_SOURCE_FAILED', kind: 'transient' });
    expect(serviceError(-1, 'busy', 'ww1')).toBeUndefined();
  });
});
