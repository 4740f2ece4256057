/**
 * mboxrd (the quoting that makes mbox reversible): each message starts with a "From " line,
 * every line of it matching /^>*From / gets one more '>', and a blank line ends it. Splitting
 * removes exactly what was added, so a message that ends with a line break comes back byte for
 * byte (archived messages always end with CRLF).
 */

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
