/**
 * Loading state for the read-only pages (mailboxes, items, audit, problems, users): one request
 * that reloads when its inputs change, and cursor-paged lists that append "More"/"Older" pages.
 * A response that arrives after the inputs changed is dropped, so a fast typist never sees the
 * results of an older search replace a newer one.
 */
import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** fetches again with the same inputs, keeping the shown data until the answer arrives */
  reload: () => void;
}

/** Identifies the inputs a result belongs to; the inputs are route params and filters (strings, numbers). */
const keyOf = (deps: DependencyList) => JSON.stringify(deps);

export function useLoad<T>(load: () => Promise<T>, deps: DependencyList): Loaded<T> {
  const key = keyOf(deps);
  // What the last request for `key` gave; a reload keeps the data shown until its answer arrives.
  const [state, setState] = useState<{ key: string; data: T | undefined; error: unknown } | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  // The caller's `load` is a new closure on every render; the deps say when it means something new.
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let current = true;
    setLoading(true);
    setState((prev) => (prev && prev.key === key ? { ...prev, error: null } : prev));
    loadRef.current().then(
      (data) => {
        if (!current) return;
        setState({ key, data, error: null });
        setLoading(false);
      },
      (error: unknown) => {
        if (!current) return;
        setState((prev) => ({ key, data: prev?.key === key ? prev.data : undefined, error }));
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
    // The caller's deps are the inputs; the fetch function itself is read through the ref.
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  // Between new inputs and the effect that fetches for them, the old result is not shown as theirs.
  const fresh = state?.key === key;
  return {
    data: fresh ? state.data : undefined,
    error: fresh ? state.error : null,
    loading: loading || !fresh,
    reload,
  };
}

export interface PageOf<T> {
  rows: T[];
  next: string | null;
}

export interface Paged<T> {
  rows: T[];
  /** null once the last page is shown */
  next: string | null;
  /** the first page is loading */
  loading: boolean;
  /** a further page is loading */
  loadingMore: boolean;
  error: unknown;
  more: () => void;
  reload: () => void;
}

/** `fetchPage(null)` gives the first page; `fetchPage(next)` the one after. */
export function usePaged<T>(fetchPage: (cursor: string | null) => Promise<PageOf<T>>, deps: DependencyList): Paged<T> {
  const key = keyOf(deps);
  const [rowsKey, setRowsKey] = useState<string | null>(null);
  const [rows, setRows] = useState<T[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;
  // Bumped whenever the inputs change, so that pages requested for older inputs are ignored.
  const generation = useRef(0);

  useEffect(() => {
    const gen = ++generation.current;
    setLoading(true);
    setLoadingMore(false);
    setError(null);
    fetchRef.current(null).then(
      (page) => {
        if (gen !== generation.current) return;
        setRows(page.rows);
        setRowsKey(key);
        setNext(page.next);
        setLoading(false);
      },
      (e: unknown) => {
        if (gen !== generation.current) return;
        setRows([]);
        setRowsKey(key);
        setNext(null);
        setError(e);
        setLoading(false);
      },
    );
    // The caller's deps are the inputs; the fetch function itself is read through the ref.
  }, [...deps, tick]);

  const more = useCallback(() => {
    if (next === null || loadingMore) return;
    const gen = generation.current;
    setLoadingMore(true);
    setError(null);
    fetchRef.current(next).then(
      (page) => {
        if (gen !== generation.current) return;
        setRows((prev) => [...prev, ...page.rows]);
        setNext(page.next);
        setLoadingMore(false);
      },
      (e: unknown) => {
        if (gen !== generation.current) return;
        // Keeps what is shown and the cursor, so "More" can be pressed again.
        setError(e);
        setLoadingMore(false);
      },
    );
  }, [next, loadingMore]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  // Rows of older inputs are never shown under new ones, not even for the render before the fetch starts.
  const fresh = rowsKey === key;
  return {
    rows: fresh ? rows : [],
    next: fresh ? next : null,
    loading: loading || !fresh,
    loadingMore,
    error: fresh ? error : null,
    more,
    reload,
  };
}
