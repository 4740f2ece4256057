/**
 * One shared EventSource on /api/events for the whole console, opened while at least one
 * component listens and closed after the last one leaves. The browser reconnects by itself
 * after a dropped connection; when the server refuses the stream (closed state, e.g. after a
 * restart or a 5xx) this module reconnects with a growing delay. Listeners hear `onOpen` on every
 * (re)connection so they can refetch what they may have missed while disconnected.
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { LiveEvent } from '../../src/server/contract.js';

export type LiveStatus = 'idle' | 'connecting' | 'open';

interface Listener {
  onEvent: (event: LiveEvent) => void;
  onOpen?: () => void;
}

const EVENT_TYPES: readonly LiveEvent['type'][] = ['progress', 'state', 'run'];
const MAX_RETRY_MS = 30_000;

const listeners = new Set<Listener>();
const statusListeners = new Set<() => void>();
let source: EventSource | null = null;
let retryTimer: number | undefined;
let retries = 0;
let status: LiveStatus = 'idle';

function setStatus(next: LiveStatus): void {
  if (status === next) return;
  status = next;
  statusListeners.forEach((l) => l());
}

function dispatch(type: LiveEvent['type'], message: MessageEvent<string>): void {
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch {
    return; // a malformed event is dropped; the next refetch corrects the view
  }
  // The server sends the contract's LiveEvent shapes; `type` comes from the SSE event name.
  const event = { type, data } as LiveEvent;
  listeners.forEach((l) => l.onEvent(event));
}

function connect(): void {
  window.clearTimeout(retryTimer);
  setStatus('connecting');
  const es = new EventSource('/api/events');
  source = es;
  es.onopen = () => {
    retries = 0;
    setStatus('open');
    listeners.forEach((l) => l.onOpen?.());
  };
  es.onerror = () => {
    if (source !== es) return;
    if (es.readyState === EventSource.CLOSED) {
      source = null;
      const delay = Math.min(MAX_RETRY_MS, 1000 * 2 ** retries);
      retries += 1;
      setStatus('connecting');
      retryTimer = window.setTimeout(() => {
        if (listeners.size > 0) connect();
      }, delay);
    } else {
      setStatus('connecting');
    }
  };
  for (const type of EVENT_TYPES) {
    es.addEventListener(type, (m) => dispatch(type, m as MessageEvent<string>));
  }
}

function disconnect(): void {
  window.clearTimeout(retryTimer);
  source?.close();
  source = null;
  retries = 0;
  setStatus('idle');
}

function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  if (!source) connect();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) disconnect();
  };
}

/**
 * Calls `onEvent` for every live event while the component is mounted, and `onOpen` each time
 * the stream (re)connects. The latest callbacks are used without resubscribing.
 */
export function useLiveEvents(onEvent: (event: LiveEvent) => void, onOpen?: () => void): void {
  const ref = useRef({ onEvent, onOpen });
  useEffect(() => {
    ref.current = { onEvent, onOpen };
  });
  useEffect(
    () =>
      subscribe({
        onEvent: (e) => ref.current.onEvent(e),
        onOpen: () => ref.current.onOpen?.(),
      }),
    [],
  );
}

/** 'open' while events flow; shown as the live indicator. */
export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(
    (cb) => {
      statusListeners.add(cb);
      return () => statusListeners.delete(cb);
    },
    () => status,
  );
}
