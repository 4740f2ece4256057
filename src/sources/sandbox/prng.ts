/**
 * The seeded random source of the sandbox tenant. Everything the generator invents (people,
 * msgids, texts, times, media bytes) comes from here, so the same seed gives the same tenant;
 * Math.random and crypto randomness are kept for the parts that are random in the real service
 * too (RSA padding, the per-record key string).
 */

/** 32-bit mix (the finaliser of MurmurHash3): spreads a seed or label over all bits. */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** FNV-1a over a label, so streams forked by name are independent of each other. */
function hashLabel(label: string | number, h: number): number {
  const s = String(label);
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix32(h);
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * sfc32: small, fast and passes PractRand; chosen over a crypto DRBG because the generator
 * draws millions of values for 100k messages and needs no secrecy.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  private constructor(a: number, b: number, c: number, d: number) {
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A stream for `seed`, optionally forked by labels (e.g. `'media'`) so streams do not shift each other. */
  static from(seed: number, ...labels: (string | number)[]): Prng {
    let h = mix32((Math.trunc(seed) ^ 0x9e3779b9) >>> 0) ^ mix32(Math.trunc(seed / 0x100000000) >>> 0);
    for (const label of labels) h = hashLabel(label, h ^ 0x811c9dc5);
    return new Prng(mix32(h ^ 0x1), mix32(h ^ 0x2), mix32(h ^ 0x3), mix32(h ^ 0x4));
  }

  /** uniform uint32 */
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** uniform in [0, 1) */
  float(): number {
    return this.next() / 0x100000000;
  }

  /** uniform integer in [min, max], both inclusive */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.float() * items.length)] as T;
  }

  /** one of `entries`, each with its relative weight */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of entries) total += w;
    let r = this.float() * total;
    for (const [value, w] of entries) {
      r -= w;
      if (r < 0) return value;
    }
    const last = entries[entries.length - 1];
    if (!last) throw new RangeError('weighted pick from an empty list');
    return last[0];
  }

  /** exponentially distributed with the given mean (waiting times between messages) */
  exp(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let i = 0;
    for (; i + 4 <= n; i += 4) out.writeUInt32LE(this.next(), i);
    if (i < n) {
      const last = this.next();
      for (let k = 0; i < n; i++, k++) out[i] = (last >>> (8 * k)) & 0xff;
    }
    return out;
  }

  /** `n` characters drawn from `alphabet` (letters and digits by default) */
  chars(n: number, alphabet: string = ALNUM): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.float() * alphabet.length)];
    return s;
  }

  /** `n` decimal digits, the first one non-zero */
  digits(n: number): string {
    return String(this.int(1, 9)) + this.chars(n - 1, '0123456789');
  }
}
