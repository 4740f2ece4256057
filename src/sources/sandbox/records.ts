/**
 * Turning decrypted messages into GetChatData entries and writing them to chatdata.jsonl in
 * batches (one write per thousand records, not one per record: 100k records take seconds).
 */
import type { KeyObject } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { EncryptedRecord } from '../wecom/client.js';
import { encryptRandomKey, randomKeyString, sandboxEncryptData } from './encrypt.js';

/** What DecryptData will return for a message: its JSON as UTF-8, like the vendor's output slice. */
export function plaintextOf(msg: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify(msg), 'utf8');
}

/** One archive entry as the real service builds it: fresh key string, RSA under `ver`, body under the key string. */
export function encryptRecord(
  seq: bigint,
  msgid: string,
  ver: number,
  publicKey: KeyObject,
  plaintext: Buffer,
): EncryptedRecord {
  const keyString = randomKeyString();
  return {
    seq: seq.toString(),
    msgid,
    publickey_ver: ver,
    encrypt_random_key: encryptRandomKey(publicKey, keyString),
    encrypt_chat_msg: sandboxEncryptData(keyString, plaintext),
  };
}

const BATCH = 1000;

/** Appends JSON lines in batches; `beforeFlush` runs first, so media/index.json is on disk before lines that need it. */
export class RecordWriter {
  private lines: string[] = [];

  private constructor(
    private readonly fh: FileHandle,
    private readonly beforeFlush: () => Promise<void>,
  ) {}

  static async open(path: string, mode: 'w' | 'a', beforeFlush: () => Promise<void>): Promise<RecordWriter> {
    return new RecordWriter(await open(path, mode), beforeFlush);
  }

  async add(record: EncryptedRecord): Promise<void> {
    this.lines.push(JSON.stringify(record));
    if (this.lines.length >= BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.lines.length === 0) return;
    await this.beforeFlush();
    const chunk = `${this.lines.join('\n')}\n`;
    this.lines = [];
    await this.fh.write(chunk);
  }

  async close(): Promise<void> {
    try {
      await this.flush();
      await this.fh.sync();
    } finally {
      await this.fh.close();
    }
  }
}
