/**
 * Runs a change against the API and reloads what it affects, with one busy flag and one error
 * for the section, so a failed action shows its message where it was taken.
 */
import { useState } from 'react';

export function useAction(reload: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function act(fn: () => Promise<unknown>): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      await fn();
      await reload();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, setError, act };
}
