/**
 * mboxrd (the quoting that makes mbox reversible): each message starts with a "From " line,
 * every line of it matching /^>*From / gets one more '>', and a blank line ends it. Splitting
 * removes exactly what was added, so a message that ends with a line break comes back byte for
 * byte (archived messages always end with CRLF).
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

function asctime(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

export function mboxrdEntry(mime: Buffer, sender: string, ms: number): Buffer {
  const parts: Buffer[] = [Buffer.from(`From ${sender} ${asctime(ms)}\n`, 'latin1')];
  let at = 0;
  while (at < mime.length) {
    const nl = mime.indexOf(0x0a, at);
    const end = nl < 0 ? mime.length : nl + 1;
    const line = mime.subarray(at, end);
    if (/^>*From /.test(line.subarray(0, 64).toString('latin1'))) parts.push(Buffer.from('>'));
    parts.push(line);
    at = end;
  }
  if (mime.length > 0 && mime[mime.length - 1] !== 0x0a) parts.push(Buffer.from('\n'));
  parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

/** The messages of an mboxrd file, unquoted. */
export function splitMboxrd(mbox: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let cur: Buffer[] | undefined;
  let at = 0;
  const finish = () => {
    if (!cur) return;
    const msg = Buffer.concat(cur);
    // drop the blank line that ended the entry
    out.push(msg.subarray(0, msg.length > 0 && msg[msg.length - 1] === 0x0a ? msg.length - 1 : msg.length));
  };
  while (at < mbox.length) {
    const nl = mbox.indexOf(0x0a, at);
    const end = nl < 0 ? mbox.length : nl + 1;
    const line = mbox.subarray(at, end);
    const head = line.subarray(0, 64).toString('latin1');
    // Every "From " line inside a message was quoted, so an unquoted one starts the next entry.
    if (head.startsWith('From ')) {
      finish();
      cur = [];
    } else if (cur) {
      cur.push(/^>+From /.test(head) ? line.subarray(1) : line);
    }
    at = end;
  }
  finish();
  return out;
}

const FROM = Buffer.from('From ');

/** Whether the line at `at` of `b` (at least 64 bytes of it there, or all of it) is a "From " line, or a quoted one. */
function lineKind(b: Buffer, at: number, end: number): 'from' | 'quoted' | 'plain' {
  const c = b[at];
  if (c === 0x46) return b.compare(FROM, 0, 5, at, Math.min(end, at + 5)) === 0 ? 'from' : 'plain';
  if (c !== 0x3e) return 'plain';
  let p = at;
  while (p < end && p - at < 64 && b[p] === 0x3e) p++;
  return p + 5 <= end && p + 5 - at <= 64 && b.compare(FROM, 0, 5, p, p + 5) === 0 ? 'quoted' : 'plain';
}

/**
 * The SHA-256 of each message of an mboxrd file, in order, exactly as `splitMboxrd` would give
 * the messages (unquoted, without the blank line that ends each entry), read a megabyte at a time
 * by plain system calls: memory stays flat whatever the file's size.
 */
export function mboxMessageHashes(path: string, onMessage: (sha256: string) => void): void {
  const buf = Buffer.allocUnsafe(1 << 20);
  const one = Buffer.alloc(1);
  let hash: Hash | undefined;
  // the last byte given to the message, held back (by value: the buffer is read into again): the
  // entry's ending line break is not the message's
  let held = -1;
  const feed = (from: number, to: number) => {
    if (!hash || to <= from) return;
    if (held >= 0) {
      one[0] = held;
      hash.update(one);
    }
    if (to - from > 1) hash.update(buf.subarray(from, to - 1));
    held = buf[to - 1]!;
  };
  const finish = () => {
    if (!hash) return;
    if (held >= 0 && held !== 0x0a) {
      one[0] = held;
      hash.update(one);
    }
    onMessage(hash.digest('hex'));
    hash = undefined;
    held = -1;
  };
  const fd = openSync(path, 'r');
  try {
    let filled = 0;
    // whether buf[0] starts a line (not the rest of a line longer than the buffer)
    let lineStart = true;
    let eof = false;
    for (;;) {
      if (!eof) {
        const n = readSync(fd, buf, filled, buf.length - filled, null);
        if (n === 0) eof = true;
        filled += n;
      }
      if (filled === 0) break;
      // whole lines only; all of it at the end of the file, or when one line fills the buffer
      const lastNl = buf.lastIndexOf(0x0a, filled - 1);
      if (!eof && lastNl < 0 && filled < buf.length) continue;
      const upto = eof || lastNl < 0 ? filled : lastNl + 1;
      let at = 0;
      while (at < upto) {
        const nl = buf.indexOf(0x0a, at);
        const end = nl < 0 || nl >= upto ? upto : nl + 1;
        const kind = at === 0 && !lineStart ? 'plain' : lineKind(buf, at, end);
        if (kind === 'from') {
          finish();
          hash = createHash('sha256');
        } else feed(kind === 'quoted' ? at + 1 : at, end);
        at = end;
      }
      lineStart = buf[upto - 1] === 0x0a;
      buf.copy(buf, 0, upto, filled);
      filled -= upto;
    }
  } finally {
    closeSync(fd);
  }
  finish();
}
