/**
 * Route schemas from the zod schemas that validate requests: one definition gives the check in
 * the handler (with field paths for the console) and the JSON Schema of the OpenAPI document.
 */
import { z } from 'zod';

export function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  delete out.$schema;
  return dropUnknownFormats(out) as Record<string, unknown>;
}

/** Formats Fastify's validator knows (ajv-formats); zod also emits its own, e.g. "includes". */
const KNOWN_FORMATS = new Set([
  'date-time',
  'date',
  'time',
  'email',
  'uri',
  'uuid',
  'ipv4',
  'ipv6',
  'hostname',
  'regex',
]);

function dropUnknownFormats(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(dropUnknownFormats);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'format' && typeof v === 'string' && !KNOWN_FORMATS.has(v)) continue;
    out[k] = dropUnknownFormats(v);
  }
  return out;
}

/** Parses a request part, throwing the ZodError the error handler turns into a 400 with fields. */
export function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  return schema.parse(value);
}

export const idParams = z.object({ id: z.string().min(1).max(200) });
