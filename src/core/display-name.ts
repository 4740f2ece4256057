/**
 * Names from outside (attachment file names from archived messages) made safe to show and to
 * save. Unicode bidirectional controls reorder what follows them, so `invoice\u202Efdp.exe`
 * displays as `invoiceexe.pdf` (the classic extension spoof, CVE-2021-42574's "Trojan Source"
 * in file names); control characters break headers and file systems. Each is replaced by a
 * visible `_` rather than dropped, so the shown name still hints that something was there.
 * The archived original is never changed; this applies only where a name leaves for a person.
 */

/**
 * Bidi_Control (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) and the C0/C1 controls.
 * Other format characters (zero-width joiner in emoji, for one) are legitimate and stay.
 */
const UNSAFE = /[\p{Bidi_Control}\p{Cc}]/gu;

export function safeDisplayName(name: string): string {
  return name.replace(UNSAFE, '_');
}
