import { describe, expect, it } from 'vitest';
import { testOnlyVariable } from './test-only.js';

describe('testOnlyVariable', () => {
  it('gives the value under the test runner and nothing when unset or empty', () => {
    expect(testOnlyVariable('TEST_ONLY_X', 'does x', { NODE_ENV: 'test', TEST_ONLY_X: '/keys' })).toBe('/keys');
    expect(testOnlyVariable('TEST_ONLY_X', 'does x', { NODE_ENV: 'test' })).toBeUndefined();
    expect(testOnlyVariable('TEST_ONLY_X', 'does x', { NODE_ENV: 'production', TEST_ONLY_X: '' })).toBeUndefined();
  });

  it('refuses a value outside the test runner, naming the variable and what it does', () => {
    for (const env of [{ TEST_ONLY_X: '1' }, { NODE_ENV: 'production', TEST_ONLY_X: '1' }])
      expect(() => testOnlyVariable('TEST_ONLY_X', 'does x', env)).toThrow(
        'TEST_ONLY_X does x and is accepted only by the test suite (NODE_ENV=test); unset it',
      );
  });
});
