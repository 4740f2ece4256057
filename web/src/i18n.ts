/**
 * The console's translations. Every JSON file under locales/<language>/<namespace>.json is bundled,
 * so a page brings its catalogue just by adding the file. The language is the one picked in the
 * header (kept in localStorage), else the browser's; <html lang> follows it.
 */
import i18n, { type Resource } from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';

export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Where the header's language switch keeps the choice; the browser's language is used without it. */
export const LANGUAGE_STORAGE_KEY = 'wxa.lang';

type Catalogue = Record<string, unknown>;

const files = import.meta.glob<Catalogue>('./locales/*/*.json', { eager: true, import: 'default' });

/** Groups the bundled files by language and namespace: `./locales/zh-CN/wizard.json` -> zh-CN/wizard. */
export function buildResources(modules: Record<string, Catalogue>): Resource {
  const resources: Resource = {};
  for (const [path, catalogue] of Object.entries(modules)) {
    const match = /\/locales\/([^/]+)\/([^/]+)\.json$/.exec(path);
    if (!match) continue;
    const [, lng, ns] = match as unknown as [string, string, string];
    resources[lng] = { ...resources[lng], [ns]: catalogue };
  }
  return resources;
}

/** Any Chinese variant gets Simplified Chinese (the only Chinese catalogue); everything else English. */
export function toSupportedLanguage(lng: string | undefined | null): Language {
  return lng && lng.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

function syncDocumentLanguage(lng: string): void {
  document.documentElement.lang = toSupportedLanguage(lng);
}

/** Called once by main.tsx before the first render; the catalogues are bundled, so it completes at once. */
export function initI18n(): typeof i18n {
  const resources = buildResources(files);
  const namespaces = [...new Set(Object.values(resources).flatMap((r) => Object.keys(r)))];
  i18n.on('languageChanged', syncDocumentLanguage);
  void i18n
    .use(LanguageDetector)
    .use(initReactI18next)
    .init({
      resources,
      ns: namespaces,
      defaultNS: 'common',
      fallbackNS: 'common',
      fallbackLng: 'en',
      supportedLngs: [...LANGUAGES],
      load: 'currentOnly',
      initAsync: false,
      // React escapes what it renders; escaping here too would show &amp; to the user.
      interpolation: { escapeValue: false },
      detection: {
        order: ['localStorage', 'navigator'],
        lookupLocalStorage: LANGUAGE_STORAGE_KEY,
        // Only an explicit choice is stored (see setLanguage), so a browser's language change still applies.
        caches: [],
        convertDetectedLanguage: toSupportedLanguage,
      },
      react: { useSuspense: false },
    });
  syncDocumentLanguage(i18n.language);
  return i18n;
}

/** The header's switch: changes the language now and remembers the choice. */
export function setLanguage(lng: Language): void {
  try {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, lng);
  } catch {
    // Storage can be disabled (private mode, policy); the choice then lasts for this page only.
  }
  void i18n.changeLanguage(lng);
}
