/**
 * Mobile numbers to E.164, so that a number typed in a mapping CSV and the one WeCom's
 * directory returns meet as the same key. Validation uses libphonenumber's full ("max")
 * metadata, which knows the mobile ranges and lengths of each country; we add only the
 * human reasons an operator needs to fix a row.
 */
import { createRequire } from 'node:module';
import type { CountryCode, PhoneNumberType } from 'libphonenumber-js/max';
import type * as Core from 'libphonenumber-js/core';
import type * as Max from 'libphonenumber-js/max';
import type MaxMetadata from 'libphonenumber-js/max/metadata';
import type * as Mobile from 'libphonenumber-js/mobile';

import type { MAPPING_PARAM_VOCABULARIES, MappingProblemCode, MappingProblemParams, ValueFailure } from './types.js';

/**
 * libphonenumber-js, loaded on first use through its CommonJS build: its ES modules (some 115
 * files) cost about twice the CPU to load (110 ms against 60 here), and every process that loads
 * the mapping code paid it at start, most never checking a number. Metadata comes from core with
 * the max metadata given: the same as max's Metadata.
 */
interface Phone {
  parsePhoneNumberFromString: typeof Max.parsePhoneNumberFromString;
  parseAsMobile: typeof Mobile.parsePhoneNumberFromString;
  Metadata: typeof Core.Metadata;
  maxMetadata: typeof MaxMetadata;
}
let phone: Phone | undefined;
function lib(): Phone {
  if (phone) return phone;
  const require = createRequire(import.meta.url);
  phone = {
    parsePhoneNumberFromString: (require('libphonenumber-js/max') as typeof Max).parsePhoneNumberFromString,
    parseAsMobile: (require('libphonenumber-js/mobile') as typeof Mobile).parsePhoneNumberFromString,
    Metadata: (require('libphonenumber-js/core') as typeof Core).Metadata,
    maxMetadata: require('libphonenumber-js/max/metadata') as typeof MaxMetadata,
  };
  return phone;
}

export type MobileProblemCode = Extract<MappingProblemCode, `mobile-${string}`>;

export type NormalizeResult = { ok: true; e164: string } | ValueFailure<MobileProblemCode>;

/** Types that can reach a phone a person carries; NANP (US/CA) cannot tell mobile from fixed. */
const MOBILE_TYPES: ReadonlySet<PhoneNumberType> = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE']);

const TYPE_NAMES: Partial<Record<PhoneNumberType, string>> = {
  FIXED_LINE: 'a fixed-line number',
  TOLL_FREE: 'a toll-free number',
  PREMIUM_RATE: 'a premium-rate number',
  SHARED_COST: 'a shared-cost number',
  VOIP: 'a VoIP number',
  PERSONAL_NUMBER: 'a personal (forwarding) number',
  PAGER: 'a pager number',
  UAN: 'a company switchboard number',
  VOICEMAIL: 'a voicemail number',
};

type NumberType = (typeof MAPPING_PARAM_VOCABULARIES.numberType)[number];

/** The name a problem gives each kind of number, for the console's label of it. */
const TYPE_PARAMS: Partial<Record<PhoneNumberType, NumberType>> = {
  FIXED_LINE: 'fixed-line',
  TOLL_FREE: 'toll-free',
  PREMIUM_RATE: 'premium-rate',
  SHARED_COST: 'shared-cost',
  VOIP: 'voip',
  PERSONAL_NUMBER: 'personal-number',
  PAGER: 'pager',
  UAN: 'uan',
  VOICEMAIL: 'voicemail',
};

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** Zero-width and other format characters that copy-paste from chat apps and Excel leaves in. */
const INVISIBLE = /[\p{Cf}]/gu;
/** What a written phone number may contain once NFKC has folded full-width forms to ASCII. */
const PHONE_CHARS = /^[\d\s+().\-/]+$/;
/** Excel shows a long digit string as 1.38001E+10 and saves it that way: the digits are gone. */
const SCIENTIFIC = /^\d+(\.\d+)?e\+?\d+$/i;

/**
 * Normalize a mobile number written any of the usual ways (`+86 138 0013 8000`,
 * `008613800138000`, `13800138000`, `(+86) 138-0013-8000`, full-width digits, `+44 ...`)
 * to E.164, or say in words why it is not a usable mobile number.
 */
export function normalizeMobile(input: string, defaultRegion: CountryCode = 'CN'): NormalizeResult {
  const shown = input.trim();
  const text = input.normalize('NFKC').replace(INVISIBLE, '').trim();
  const value = { value: shown };
  if (text === '') return { ok: false, reason: 'the mobile number is empty', code: 'mobile-empty', params: {} };
  if (SCIENTIFIC.test(text)) {
    return {
      ok: false,
      reason: `"${shown}" is in scientific notation, which a spreadsheet makes of a long number, losing digits (format the column as text and type the number again)`,
      code: 'mobile-scientific',
      params: value,
    };
  }
  if (!PHONE_CHARS.test(text)) {
    return {
      ok: false,
      reason: `"${shown}" is not a phone number (only digits, spaces, + ( ) - . are expected)`,
      code: 'mobile-bad-chars',
      params: value,
    };
  }
  const mobile = lib().parseAsMobile(text, defaultRegion);
  if (mobile?.isValid()) return { ok: true, e164: mobile.number };
  const parsed = lib().parsePhoneNumberFromString(text, defaultRegion);
  if (!parsed) {
    if (/^\s*(\+|00)/.test(text)) {
      return {
        ok: false,
        reason: `"${shown}" does not start with a known country code after the + or 00`,
        code: 'mobile-unknown-country-code',
        params: value,
      };
    }
    return { ok: false, reason: `"${shown}" is not a phone number`, code: 'mobile-not-a-number', params: value };
  }
  if (parsed.isValid()) {
    const type = parsed.getType();
    if (type === undefined || MOBILE_TYPES.has(type)) return { ok: true, e164: parsed.number };
    return {
      ok: false,
      reason: `"${shown}" is ${TYPE_NAMES[type] ?? 'a number of another kind'}, not a mobile number`,
      code: 'mobile-not-mobile',
      params: { ...value, numberType: TYPE_PARAMS[type] ?? 'other' },
    };
  }
  const callingCode = parsed.countryCallingCode;
  const why = whyInvalid(callingCode, parsed.nationalNumber);
  const international = internationalForm(text, defaultRegion);
  const reason = `"${shown}" is not a valid mobile number (${why.text})`;
  if (international) {
    return {
      ok: false,
      reason: `${reason}; if it is ${international}, write it with the +`,
      code: 'mobile-missing-plus',
      params: { ...value, ...why.params, callingCode, international },
    };
  }
  return { ok: false, reason, code: why.code, params: { ...value, ...why.params, callingCode } };
}

function whyInvalid(
  callingCode: string,
  nationalNumber: string,
): { text: string; code: 'mobile-wrong-length' | 'mobile-not-in-range'; params: MappingProblemParams } {
  const region = mainRegionOf(callingCode);
  const lengths = region ? mobileLengthsOf(region) : [];
  const who =
    region === 'CN' ? 'a Chinese mobile' : region ? `a mobile in ${regionNames.of(region) ?? region}` : 'a mobile';
  const digits = nationalNumber.length;
  if (lengths.length > 0 && !lengths.includes(digits)) {
    return {
      text: `${digits} digit${digits === 1 ? '' : 's'} after +${callingCode}, ${who} has ${orList(lengths)}`,
      code: 'mobile-wrong-length',
      // Lengths joined by "/" rather than "or": the console puts them into a sentence of either language.
      params: { digits, expected: lengths.join('/') },
    };
  }
  return {
    text: `the right length for ${who}, but not in a range assigned to mobile networks`,
    code: 'mobile-not-in-range',
    params: {},
  };
}

/** A number typed without its +: what it would be with one, when that is a valid mobile. */
function internationalForm(text: string, defaultRegion: CountryCode): string | undefined {
  if (/^\s*(\+|00)/.test(text)) return undefined;
  const withPlus = lib().parsePhoneNumberFromString(`+${text.replace(/\D/g, '')}`, defaultRegion);
  if (!withPlus || !withPlus.isValid() || withPlus.countryCallingCode === callingCodeOf(defaultRegion)) {
    return undefined;
  }
  const type = withPlus.getType();
  if (type !== undefined && !MOBILE_TYPES.has(type)) return undefined;
  return withPlus.formatInternational();
}

interface TypedNumberingPlan {
  // libphonenumber-js has per-type lengths at run time but leaves `type()` out of its typings.
  type(t: 'MOBILE'): { possibleLengths(): number[] } | undefined;
  possibleLengths(): number[];
}

const lengthCache = new Map<CountryCode, number[]>();

function mobileLengthsOf(region: CountryCode): number[] {
  let lengths = lengthCache.get(region);
  if (!lengths) {
    const metadata = new (lib().Metadata)(lib().maxMetadata);
    metadata.selectNumberingPlan(region);
    const plan = metadata.numberingPlan as unknown as TypedNumberingPlan | undefined;
    lengths = plan?.type('MOBILE')?.possibleLengths() ?? plan?.possibleLengths() ?? [];
    lengthCache.set(region, lengths);
  }
  return lengths;
}

function mainRegionOf(callingCode: string): CountryCode | undefined {
  return lib().maxMetadata.country_calling_codes[callingCode]?.[0];
}

function callingCodeOf(region: CountryCode): string | undefined {
  for (const [code, regions] of Object.entries(lib().maxMetadata.country_calling_codes)) {
    if (regions.includes(region)) return code;
  }
  return undefined;
}

function orList(values: readonly number[]): string {
  if (values.length <= 1) return String(values[0] ?? '');
  return `${values.slice(0, -1).join(', ')} or ${String(values[values.length - 1])}`;
}
