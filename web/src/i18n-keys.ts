/**
 * A marker for catalogue keys that travel as values before `t` sees them (validation messages,
 * lookup tables). It does nothing at run time; the catalogue test scans for `tk('ns:key')` as it
 * does for `t('...')`, so such keys are checked too. Kept apart from i18n.ts so that pure modules
 * can use it without loading i18next.
 */
export function tk<K extends string>(key: K): K {
  return key;
}
