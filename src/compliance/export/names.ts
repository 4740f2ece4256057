/** Names an export gives what it writes, the same on every thread that writes its files. */

/** A file-system-safe folder name for a custodian address. */
export function custodianFolder(mailbox: string | undefined): string {
  return mailbox ? mailbox.replace(/[^A-Za-z0-9@._+-]/g, '_') : '_no-custodian';
}

export const controlNumber = (n: number): string => `WXA${String(n + 1).padStart(8, '0')}`;
