/**
 * The sandbox tenant's prepare step: WeCom's record format and key ring, with the sandbox's
 * DecryptData, a pure function that runs whole on each prepare thread.
 */
import type { CreateNormalizer } from '../types.js';
import { recordNormalizer, type WecomPrepareSetup } from '../wecom/normalize.js';
import { sandboxDecryptData } from './encrypt.js';

export const createNormalizer: CreateNormalizer = (setup) =>
  recordNormalizer(setup as WecomPrepareSetup, sandboxDecryptData);
