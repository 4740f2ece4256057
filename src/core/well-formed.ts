/**
 * Lone UTF-16 surrogates (`"\ud800"` is legal JSON) cannot be written as UTF-8: SQLite would store
 * invalid bytes that other clients refuse, and MIME and XML cannot carry them either. Text that
 * comes from outside is made well-formed where it enters the canonical model, each lone
 * surrogate replaced by U+FFFD as a UTF-8 decoder does with a bad sequence. Raw records are kept
 * as received; only the model derived from them is repaired, and flagged as cleaned.
 */

export interface WellFormed<T> {
  value: T;
  /** true when at least one string (or object key) held a lone surrogate */
  changed: boolean;
}

/** A copy of a JSON-like value with every string and key well-formed; the same value when nothing changed. */
export function wellFormedDeep<T>(value: T): WellFormed<T> {
  const state = { changed: false };
  const out = repair(value, state) as T;
  return { value: state.changed ? out : value, changed: state.changed };
}

function fix(s: string, state: { changed: boolean }): string {
  if (s.isWellFormed()) return s;
  state.changed = true;
  return s.toWellFormed();
}

function repair(v: unknown, state: { changed: boolean }): unknown {
  if (typeof v === 'string') return fix(v, state);
  if (Array.isArray(v)) return v.map((x) => repair(x, state));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[fix(k, state)] = repair(x, state);
    return out;
  }
  return v;
}
