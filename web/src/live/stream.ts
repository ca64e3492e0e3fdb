/**
 * The tab's one connection to `GET /api/events` (server-sent events), shared by every page.
 *
 * The browser's EventSource reconnects by itself after a dropped connection, sending the last
 * `id:` it saw as `Last-Event-ID` so the server replays what was missed. When the server refuses
 * the stream outright (an error status: the endpoint missing, the session gone) the browser
 * gives up; then this module opens a new one after a growing pause, and since a new EventSource
 * cannot send `Last-Event-ID`, it asks the app to catch up by refetching instead.
 */
import type { LiveEvent, LiveEventType } from '../../../src/domain/shared-types';

export type LiveStatus =
  /** Not started (signed out). */
  | 'off'
  | 'connecting'
  | 'live'
  /** Was live and lost the stream; trying again. */
  | 'reconnecting'
  /** Never got a stream (the server has none, or refuses it); trying again now and then. */
  | 'unavailable';

const EVENT_TYPES = ['order', 'position', 'copy', 'account', 'notification'] as const;
// Every event type of the contract is listened to: a new one fails to compile until added above.
const everyTypeListed: Exclude<LiveEventType, (typeof EVENT_TYPES)[number]> extends never ? true : never =
  true;
void everyTypeListed;

const FIRST_RETRY_MS = 2_000;
const LAST_RETRY_MS = 60_000;

export type LiveHandlers = {
  onEvent: (event: LiveEvent) => void;
  /** Events may have been missed and will not be replayed: refetch what the page shows. */
  onCatchUp: () => void;
};

let status: LiveStatus = 'off';
const statusListeners = new Set<() => void>();
let source: EventSource | null = null;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let retryDelay = FIRST_RETRY_MS;
let handlers: LiveHandlers | null = null;
let url = '/api/events';

function setStatus(next: LiveStatus): void {
  if (status === next) return;
  status = next;
  for (const listener of statusListeners) listener();
}

function parse(data: string): LiveEvent | null {
  try {
    const event = JSON.parse(data) as LiveEvent;
    return typeof event === 'object' && event !== null && typeof event.type === 'string' ? event : null;
  } catch {
    return null;
  }
}

function open(catchUpWhenOpen: boolean): void {
  const stream = new EventSource(url);
  source = stream;
  let wasOpen = false;
  let mustCatchUp = catchUpWhenOpen;
  stream.onopen = () => {
    wasOpen = true;
    retryDelay = FIRST_RETRY_MS;
    setStatus('live');
    if (mustCatchUp) handlers?.onCatchUp();
    mustCatchUp = false;
  };
  stream.onerror = () => {
    if (source !== stream) return;
    if (stream.readyState === EventSource.CONNECTING) {
      // The browser is reconnecting by itself and will resume with Last-Event-ID.
      setStatus('reconnecting');
      return;
    }
    stream.close();
    source = null;
    setStatus(wasOpen || status === 'reconnecting' ? 'reconnecting' : 'unavailable');
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      open(true);
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, LAST_RETRY_MS);
  };
  for (const type of EVENT_TYPES) {
    stream.addEventListener(type, (message) => {
      const event = parse((message as MessageEvent<string>).data);
      if (event) handlers?.onEvent(event);
    });
  }
}

/** Open the stream (once per tab; a second call only replaces the handlers). */
export function startLive(next: LiveHandlers, streamUrl = '/api/events'): void {
  handlers = next;
  url = streamUrl;
  if (source || retryTimer !== undefined) return;
  setStatus('connecting');
  open(false);
}

/** Close the stream (signing out). */
export function stopLive(): void {
  clearTimeout(retryTimer);
  retryTimer = undefined;
  source?.close();
  source = null;
  handlers = null;
  retryDelay = FIRST_RETRY_MS;
  setStatus('off');
}

export function liveStatus(): LiveStatus {
  return status;
}

export function onLiveStatus(listener: () => void): () => void {
  statusListeners.add(listener);
  return () => statusListeners.delete(listener);
}
