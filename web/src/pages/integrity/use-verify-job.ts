/**
 * Verify from the Integrity page: starts the server's background job (or joins the one already
 * running, also after a reload) and polls it once a second until it is done, so that a long
 * run never holds a request open and the page shows how far it is.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { IntegrityVerifyJob } from '../../../../src/server/contract.js';
import { get, post } from '../../api.js';

const POLL_MS = 1000;

export function useVerifyJob(onFinished: () => void): {
  job: IntegrityVerifyJob | null;
  running: boolean;
  error: unknown;
  start: (since?: number) => Promise<void>;
} {
  const [job, setJob] = useState<IntegrityVerifyJob | null>(null);
  const [error, setError] = useState<unknown>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const finished = useRef(onFinished);
  finished.current = onFinished;

  const follow = useCallback((j: IntegrityVerifyJob) => {
    setJob(j);
    if (j.state !== 'running') {
      finished.current();
      return;
    }
    timer.current = setTimeout(() => {
      get<IntegrityVerifyJob>(`/api/integrity/verify/${j.id}`).then(follow, setError);
    }, POLL_MS);
  }, []);

  useEffect(() => {
    // A run started before this page was opened (here or in another tab) is followed too.
    get<{ job: IntegrityVerifyJob | null }>('/api/integrity/verify/latest').then(
      (r) => (r.job?.state === 'running' ? follow(r.job) : undefined),
      () => undefined,
    );
    return () => {
      if (timer.current) clearTimeout(timer.current);
    };
  }, [follow]);

  const start = useCallback(
    async (since?: number) => {
      setError(null);
      try {
        follow(await post<IntegrityVerifyJob>('/api/integrity/verify', since !== undefined ? { since } : {}));
      } catch (e) {
        setError(e);
      }
    },
    [follow],
  );

  return { job, running: job?.state === 'running', error, start };
}
