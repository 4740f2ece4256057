/** See bundle-entries.mjs. */
export declare const BUNDLE_ENTRIES: readonly string[];
