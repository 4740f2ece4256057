// Relativity's published RSMF 2.0.0 JSON schema (a copy under test/fixtures/rsmf), compiled once,
// and the manifest of an .rsmf file (its rsmf.zip attachment's rsmf_manifest.json): what every
// test of RSMF output validates against.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { unzipSync } from 'fflate';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface RsmfValidator {
  validate: ValidateFunction;
  errors: () => string;
}

export async function rsmfValidator(): Promise<RsmfValidator> {
  const schema = JSON.parse(
    await readFile(join(import.meta.dirname, '..', 'fixtures', 'rsmf', 'rsmf_schema_2_0_0.json'), 'utf8'),
  ) as object;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  // ajv-formats has no idn-email (RFC 6531); check its shape: one @, no spaces, a dotted domain
  ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/u);
  const validate = ajv.compile(schema);
  return { validate, errors: () => ajv.errorsText(validate.errors) };
}

/** An .rsmf file's message, its zip's entries and its parsed manifest. */
export async function readRsmf(
  bytes: Buffer | Uint8Array,
): Promise<{ mail: ParsedMail; zip: Record<string, Uint8Array>; manifest: unknown }> {
  const mail = await simpleParser(Buffer.from(bytes));
  const att = mail.attachments.find((a) => a.filename === 'rsmf.zip');
  if (!att) throw new Error('no rsmf.zip attachment');
  const zip = unzipSync(new Uint8Array(att.content));
  const manifest = JSON.parse(Buffer.from(zip['rsmf_manifest.json']!).toString('utf8')) as unknown;
  return { mail, zip, manifest };
}
