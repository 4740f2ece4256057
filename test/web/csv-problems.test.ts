// The console's sentences for mapping CSV problems: every code the parser can give has one in
// each language, each uses only the params that code is always given (MAPPING_PROBLEM_PARAMS),
// and every word of a fixed vocabulary (column kinds, kinds of number) has its label.
import { readFileSync } from 'node:fs';
import { createInstance } from 'i18next';
import { describe, expect, it } from 'vitest';
import { MAPPING_PARAM_VOCABULARIES, MAPPING_PROBLEM_CODES, MAPPING_PROBLEM_PARAMS } from '../../src/mapping/types.js';

const LANGUAGES = ['en', 'zh-CN'] as const;
type Section = Record<string, unknown>;

function wizard(lng: string): Section {
  return JSON.parse(readFileSync(new URL(`../../web/src/locales/${lng}/wizard.json`, import.meta.url), 'utf8'));
}

function section(lng: string): Section {
  return wizard(lng).csvProblem as Section;
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([\w.-]+)[^}]*\}\}/g)].map((m) => m[1]!);
}

const VOCABULARIES = Object.entries(MAPPING_PARAM_VOCABULARIES) as [string, readonly string[]][];

describe('wizard:csvProblem', () => {
  it.each(LANGUAGES)('%s: has a sentence for every code, using only the params the code is given', (lng) => {
    const sentences = section(lng);
    const bad: string[] = [];
    for (const code of MAPPING_PROBLEM_CODES) {
      const text = sentences[code];
      if (typeof text !== 'string' || text.trim() === '') {
        bad.push(`${code}: missing`);
        continue;
      }
      const unknown = placeholders(text).filter((name) => !MAPPING_PROBLEM_PARAMS[code].includes(name));
      if (unknown.length > 0) bad.push(`${code}: {{${unknown.join(', ')}}} is not a param of the code`);
    }
    expect(bad).toEqual([]);
  });

  it.each(LANGUAGES)('%s: labels every word of the vocabularies, and holds nothing else', (lng) => {
    const sentences = section(lng);
    for (const [name, words] of VOCABULARIES) {
      const labels = sentences[name] as Section | undefined;
      expect(Object.keys(labels ?? {}).sort(), `${lng} ${name}`).toEqual([...words].sort());
      for (const word of words) expect(labels?.[word], `${lng} ${name}.${word}`).toMatch(/\S/);
    }
    const known = [...MAPPING_PROBLEM_CODES, ...VOCABULARIES.map(([name]) => name)].sort();
    expect(Object.keys(sentences).sort()).toEqual(known);
  });

  it('has Chinese in every Chinese sentence and label, not English left over', () => {
    const zh = section('zh-CN');
    const texts = [
      ...MAPPING_PROBLEM_CODES.map((code) => [code, zh[code]] as const),
      ...VOCABULARIES.flatMap(([name, words]) => words.map((w) => [`${name}.${w}`, (zh[name] as Section)[w]] as const)),
    ];
    const english = texts.filter(([, text]) => typeof text !== 'string' || !/\p{Script=Han}/u.test(text));
    expect(english.map(([key]) => key)).toEqual([]);
  });

  it('fills every placeholder when i18next renders a sentence with the params of its code', async () => {
    const i18n = createInstance();
    await i18n.init({
      resources: Object.fromEntries(LANGUAGES.map((lng) => [lng, { wizard: wizard(lng) }])),
      lng: 'en',
      fallbackLng: false,
      interpolation: { escapeValue: false },
    });
    for (const lng of LANGUAGES) {
      for (const code of MAPPING_PROBLEM_CODES) {
        const params = Object.fromEntries(MAPPING_PROBLEM_PARAMS[code].map((name) => [name, `<${name}>`]));
        const text = i18n.t(`wizard:csvProblem.${code}`, { lng, replace: params, defaultValue: 'MISSING' });
        expect(text, `${lng} ${code}`).not.toMatch(/\{\{|\}\}|MISSING/);
        for (const name of placeholders(String(section(lng)[code]))) expect(text).toContain(`<${name}>`);
      }
    }
  });
});
