import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IMPORT_QUERY, importUrl, multipartBody, nextOffset } from './upload.js';

describe('multipartBody', () => {
  it('is the metadata part, then the message bytes unchanged, with a boundary not in the message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.boolean(), (bytes, planted) => {
        // A message may even contain delimiter-looking lines of its own.
        const mime = Buffer.concat([Buffer.from(planted ? '--wxa_import_\r\n' : ''), Buffer.from(bytes)]);
        const { body, contentType } = multipartBody({ labelIds: ['Label_1'] }, mime);
        const boundary = /^multipart\/related; boundary=(\S+)$/.exec(contentType)?.[1] ?? '';
        expect(boundary).toMatch(/^wxa_import_[0-9a-f]{32}$/);
        expect(mime.includes(`--${boundary}`)).toBe(false);
        const head =
          `--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{"labelIds":["Label_1"]}\r\n` +
          `--${boundary}\r\nContent-Type: message/rfc822\r\n\r\n`;
        const tail = `\r\n--${boundary}--\r\n`;
        expect(body.subarray(0, head.length).toString('utf8')).toBe(head);
        expect(body.subarray(head.length, head.length + mime.length).equals(mime)).toBe(true);
        expect(body.subarray(head.length + mime.length).toString('latin1')).toBe(tail);
      }),
      { numRuns: 200 },
    );
  });
});

describe('upload helpers', () => {
  it('reads the next offset from a 308 Range header', () => {
    expect(nextOffset('bytes=0-262143')).toBe(262_144);
    expect(nextOffset(null)).toBe(0);
    expect(nextOffset('garbage')).toBe(0);
  });

  it('imports through the upload URI with the date, spam and calendar parameters', () => {
    expect(importUrl('https://gmail.googleapis.com/', 'resumable')).toBe(
      'https://gmail.googleapis.com/upload/gmail/v1/users/me/messages/import?uploadType=resumable&' +
        'internalDateSource=dateHeader&neverMarkSpam=true&processForCalendar=false',
    );
    expect(IMPORT_QUERY).not.toContain('deleted');
  });
});
