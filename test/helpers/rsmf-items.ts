/**
 * Items as the RSMF writer takes them, for the unit tests of what reads its files back: a text
 * message numbered `n` in one one-to-one conversation, with an image attached when asked.
 */
import { simpleParser } from 'mailparser';
import type { RsmfItem } from '../../src/compliance/export/rsmf-manifest.js';

export async function rsmfItem(n: number, attachment = false): Promise<RsmfItem> {
  const mime = [
    'From: a@x.com',
    'To: b@x.com',
    'X-WeChat-Conversation: single:a:b',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="p"',
    '',
    '--p',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `message ${n}`,
    ...(attachment
      ? ['--p', 'Content-Type: image/png', 'Content-Disposition: attachment; filename="a.png"', '', 'not a png']
      : []),
    '--p--',
    '',
  ].join('\r\n');
  return {
    controlNumber: `WXA${n}`,
    itemKey: `key-${n}`,
    msgid: `msg-${n}`,
    msgtype: 'text',
    msgTime: Date.UTC(2024, 0, 2, 10, n),
    custodian: 'a@x.com',
    fromId: 'a',
    toIds: ['b'],
    mail: await simpleParser(mime),
  };
}
