/**
 * Shared tools of the message parser: safe reads from untrusted JSON (own properties only,
 * numbers given as strings coerced), a field reader that records missing fields as the
 * 'incomplete-payload' flag instead of throwing, and the state one message's parse builds up.
 */
import type { AttachmentRef, Content, MessageFlag } from '../../core/model.js';

/** A JSON object as JSON.parse returns it. */
export type JsonObject = Record<string, unknown>;

/** What one message's parse accumulates; nested records share it with their parent. */
export interface ParseState {
  readonly msgid: string;
  readonly attachments: AttachmentRef[];
  readonly flags: Set<MessageFlag>;
  /** 0 for the message itself, +1 per chatrecord/mixed level */
  depth: number;
  /** parse one chatrecord/mixed item's content (a JSON string or object) by its item type */
  parseNested(type: string, content: unknown, st: ParseState): Content;
}

/** How one msgtype finds its payload object and turns it into Content. */
export interface TypeParser {
  /** the payload object inside the message, or undefined when it is absent */
  locate(msg: JsonObject): JsonObject | undefined;
  parse(payload: Fields, msg: JsonObject, st: ParseState): Content;
}

/** A JSON object (not null, not an array). */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own properties only: a msgtype of "constructor" or "__proto__" must not reach Object.prototype. */
export function own(o: JsonObject, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;

/** A string, or a finite number as its decimal string; anything else is absent. */
export function asString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** A finite number, or a decimal string of one; anything else is absent. */
export function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && NUMERIC.test(v)) return Number(v);
  return undefined;
}

/** true/false, 1/0 and their strings; anything else is absent. */
export function asBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === '1' || v === 'true') return true;
  if (v === 0 || v === '0' || v === 'false') return false;
  return undefined;
}

/** The first of `keys` whose value is an object. */
export function under(...keys: string[]): (msg: JsonObject) => JsonObject | undefined {
  return (msg) => {
    for (const key of keys) {
      const v = own(msg, key);
      if (isObject(v)) return v;
    }
    return undefined;
  };
}

/** Marks the message as lacking fields its type should have. */
export function markIncomplete(st: ParseState): void {
  st.flags.add('incomplete-payload');
}

/**
 * Reads a payload's fields. The plain readers are for fields the type is expected to have:
 * when absent they return a default and flag the message 'incomplete-payload'. The `opt`
 * readers are for fields the model keeps optional, and flag nothing.
 */
export class Fields {
  constructor(
    readonly raw: JsonObject,
    private readonly st: ParseState,
  ) {}

  str(key: string): string {
    const v = asString(own(this.raw, key));
    if (v !== undefined) return v;
    markIncomplete(this.st);
    return '';
  }

  optStr(key: string): string | undefined {
    return asString(own(this.raw, key));
  }

  num(key: string): number | undefined {
    const v = asNumber(own(this.raw, key));
    if (v === undefined) markIncomplete(this.st);
    return v;
  }

  optNum(key: string): number | undefined {
    return asNumber(own(this.raw, key));
  }

  list(key: string): unknown[] {
    const v = own(this.raw, key);
    if (Array.isArray(v)) return v;
    markIncomplete(this.st);
    return [];
  }

  optList(key: string): unknown[] {
    const v = own(this.raw, key);
    return Array.isArray(v) ? v : [];
  }

  /** An expected array of strings; elements that are not strings are dropped and flagged. */
  strList(key: string): string[] {
    const out: string[] = [];
    for (const item of this.list(key)) {
      const s = asString(item);
      if (s === undefined) markIncomplete(this.st);
      else out.push(s);
    }
    return out;
  }

  /** Objects of an expected array, each as a Fields reader; other elements dropped and flagged. */
  objects(key: string, expected = true): Fields[] {
    const out: Fields[] = [];
    for (const item of expected ? this.list(key) : this.optList(key)) {
      if (isObject(item)) out.push(new Fields(item, this.st));
      else markIncomplete(this.st);
    }
    return out;
  }
}
