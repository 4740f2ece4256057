/**
 * The console's translation catalogues: both languages have the same keys in every namespace,
 * no value is empty, interpolations match, and every literal key the console's code uses
 * (`t('...')`, `tk('...')`, `i18nKey="..."`) exists in English. The scan is static and
 * best-effort: keys built at run time (template literals) are not seen, which is why the console
 * routes fixed vocabularies through `tk('ns:key')` tables.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const WEB_SRC = fileURLToPath(new URL('../../web/src/', import.meta.url));
const LOCALES = join(WEB_SRC, 'locales');
const LANGUAGES = ['en', 'zh-CN'] as const;
/** i18n.ts sets this as defaultNS and fallbackNS: keys not found in a page's namespace are looked up here. */
const FALLBACK_NS = 'common';

type Catalogue = Record<string, unknown>;

/** Leaf keys joined with "." (i18next's keySeparator) -> value. */
function flatten(node: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
    for (const [k, v] of Object.entries(node as Catalogue)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, node);
  }
  return out;
}

const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

/** Keys without their plural suffix -> whether the key is plural. */
function baseKeys(keys: Map<string, unknown>): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const key of keys.keys()) {
    const base = key.replace(PLURAL_SUFFIX, '');
    out.set(base, (out.get(base) ?? false) || base !== key);
  }
  return out;
}

function namespacesOf(lng: string): string[] {
  return readdirSync(join(LOCALES, lng))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

function catalogue(lng: string, ns: string): Map<string, unknown> {
  return flatten(JSON.parse(readFileSync(join(LOCALES, lng, `${ns}.json`), 'utf8')));
}

function placeholders(value: unknown): string[] {
  return typeof value === 'string' ? [...value.matchAll(/\{\{\s*([\w.-]+)[^}]*\}\}/g)].map((m) => m[1]!).sort() : [];
}

export interface KeyUse {
  /** namespace given as "ns:key", else null */
  ns: string | null;
  key: string;
}

/** The namespaces a source file asks for with useTranslation('x') / useTranslation(['x', 'y']). */
export function fileNamespaces(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(/useTranslation\(\s*(\[[^\]]*\]|'[^']*'|"[^"]*")/g)) {
    for (const s of m[1]!.matchAll(/['"]([^'"]+)['"]/g)) found.add(s[1]!);
  }
  return [...found];
}

/** Literal keys in t('...'), i18n.t('...'), tk('...') and i18nKey="...". */
export function keyUses(source: string): KeyUse[] {
  const uses: KeyUse[] = [];
  const patterns = [/(?<![\w$.])(?:i18n\.)?(?:t|tk)\(\s*(['"])((?:(?!\1)[^\\\n])+)\1/g, /\bi18nKey=(['"])([^'"]+)\1/g];
  for (const re of patterns) {
    for (const m of source.matchAll(re)) {
      const raw = m[2]!;
      const colon = raw.indexOf(':');
      uses.push(colon > 0 ? { ns: raw.slice(0, colon), key: raw.slice(colon + 1) } : { ns: null, key: raw });
    }
  }
  return uses;
}

/** Comments show keys as examples (`t('...')`); they are not uses. `://` in URLs is not a comment. */
function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'locales' ? [] : sourceFiles(path);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [path] : [];
  });
}

function hasKey(keys: Map<string, unknown> | undefined, key: string): boolean {
  // A key used with `count` may exist only in its plural forms.
  return !!keys && (keys.has(key) || keys.has(`${key}_other`));
}

describe('console catalogues', () => {
  const namespaces = namespacesOf('en');

  it('has the console namespaces in both languages', () => {
    expect(namespaces).toEqual(expect.arrayContaining(['common', 'connectors', 'wizard']));
    for (const lng of LANGUAGES) expect(namespacesOf(lng)).toEqual(namespaces);
  });

  it.each(namespaces)('%s: the same keys in every language, plurals in the forms each language needs', (ns) => {
    const en = baseKeys(catalogue('en', ns));
    for (const lng of LANGUAGES) {
      const keys = catalogue(lng, ns);
      const other = baseKeys(keys);
      // i18next picks key_<category> by Intl.PluralRules: English needs _one and _other, Chinese only _other.
      const categories = new Intl.PluralRules(lng).resolvedOptions().pluralCategories;
      const pluralGaps = [...other.entries()]
        .filter(([, plural]) => plural)
        .flatMap(([base]) => categories.filter((c) => !keys.has(`${base}_${c}`)).map((c) => `${base}_${c}`));
      expect({
        lng,
        missing: [...en.keys()].filter((k) => !other.has(k)),
        extra: [...other.keys()].filter((k) => !en.has(k)),
        pluralGaps,
      }).toEqual({ lng, missing: [], extra: [], pluralGaps: [] });
    }
  });

  it.each(namespaces)('%s: every value is a non-empty string with the same placeholders as English', (ns) => {
    const en = catalogue('en', ns);
    for (const lng of LANGUAGES) {
      const bad: string[] = [];
      for (const [key, value] of catalogue(lng, ns)) {
        if (typeof value !== 'string' || value.trim() === '') bad.push(`${lng}:${ns}:${key} is empty or not text`);
        else if (placeholders(value).join() !== placeholders(en.get(key)).join()) {
          bad.push(`${lng}:${ns}:${key} has {{${placeholders(value).join(', ')}}}`);
        }
      }
      expect(bad).toEqual([]);
    }
  });

  it('finds keys and namespaces the way the console writes them', () => {
    const src = `const { t } = useTranslation(['wizard', 'common']);
      t('steps.terms'); t("common:actions.retry", { x: 1 }); tk('connectors:state.idle');
      i18n.t('nav.users'); format(\`x.\${y}\`); setTimeout(() => 1); <Trans i18nKey="a.b" />`;
    expect(fileNamespaces(src)).toEqual(['wizard', 'common']);
    expect(keyUses(src)).toEqual([
      { ns: null, key: 'steps.terms' },
      { ns: 'common', key: 'actions.retry' },
      { ns: 'connectors', key: 'state.idle' },
      { ns: null, key: 'nav.users' },
      { ns: null, key: 'a.b' },
    ]);
  });

  it('has in English every literal key used in web/src', () => {
    const en = new Map(namespaces.map((ns) => [ns, catalogue('en', ns)]));
    const missing: string[] = [];
    let checked = 0;
    for (const file of sourceFiles(WEB_SRC)) {
      const source = stripComments(readFileSync(file, 'utf8'));
      const fileNs = [...fileNamespaces(source), FALLBACK_NS];
      for (const use of keyUses(source)) {
        checked += 1;
        const ok = use.ns ? hasKey(en.get(use.ns), use.key) : fileNs.some((ns) => hasKey(en.get(ns), use.key));
        if (!ok) missing.push(`${relative(WEB_SRC, file)}: ${use.ns ? `${use.ns}:` : ''}${use.key}`);
      }
    }
    // The console uses hundreds of keys; a scan that finds few is broken, not clean.
    expect(checked).toBeGreaterThan(200);
    expect(missing).toEqual([]);
  });
});
