/** WeCom's seq is a uint64: kept as text, zero-padded to 20 digits so that text order is numeric order. */
export function seqKey(seq: string): string {
  if (!/^\d{1,20}$/.test(seq)) throw new RangeError(`seq "${seq}" is not an unsigned decimal integer`);
  return seq.padStart(20, '0');
}

export function seqFromKey(key: string): string {
  return key.replace(/^0+(?=\d)/, '');
}
