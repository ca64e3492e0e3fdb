/**
 * One `GET /api/events` response: a server-sent-events stream fed by the process's live hub
 * (src/services/live/hub.ts). The body is a pull-based ReadableStream: frames wait in a queue
 * until the HTTP server asks for more (it asks when the socket has drained), so a slow client
 * holds at most MAX_QUEUED_BYTES here; past that the stream ends and the client, reconnecting
 * with its Last-Event-ID, catches up from the outbox instead of from this process's memory.
 */
import type { LiveHub, LiveSubscriber, StreamCloseReason } from '../services/live/hub';
import type { OutboxEvent } from '../services/live/outbox';

/** A client this far behind is cut off; it resumes from the outbox on reconnect. */
export const MAX_QUEUED_BYTES = 1_000_000;

/** How long a browser waits before reconnecting after the stream ends. */
const RETRY_MS = 2_000;

const encoder = new TextEncoder();

export function eventFrame(event: OutboxEvent): string {
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${event.json}\n\n`;
}

type Waiting = { resolve: () => void };

class EventStream implements LiveSubscriber {
  readonly body: ReadableStream<Uint8Array>;
  private queue: string[] = [];
  private queuedBytes = 0;
  /** No more frames will be queued; the body ends once the queue is drained. */
  private ending = false;
  private done = false;
  private bodyClosed = false;
  private waiting: Waiting | undefined;
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    readonly userId: string,
    readonly sessionId: string,
    private readonly onEnd: (reason: string) => void,
  ) {
    this.body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => this.pull(),
        cancel: () => this.finish('client-gone'),
      },
      { highWaterMark: 0 },
    );
    this.push(`retry: ${RETRY_MS}\n: connected\n\n`);
  }

  attach(unsubscribe: () => void): void {
    if (this.done || this.ending) unsubscribe();
    else this.unsubscribe = unsubscribe;
  }

  deliver(events: readonly OutboxEvent[]): void {
    this.push(events.map(eventFrame).join(''));
  }

  heartbeat(): void {
    this.push(': heartbeat\n\n');
  }

  /** The hub ended the stream: what is queued is still sent, then the body ends. */
  close(reason: StreamCloseReason): void {
    if (this.ending || this.done) return;
    this.unsubscribe = undefined;
    this.push(`: closed (${reason})\n\n`);
    this.ending = true;
    this.onEnd(reason);
    this.wake();
  }

  /** The client went away (or fell too far behind): drop everything now. */
  finish(reason: string): void {
    if (this.done) return;
    this.done = true;
    this.ending = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.onEnd(reason);
    this.wake();
  }

  private push(text: string): void {
    if (this.ending || this.done || text === '') return;
    this.queue.push(text);
    this.queuedBytes += text.length;
    if (this.queuedBytes > MAX_QUEUED_BYTES) {
      this.finish('too-slow');
      this.closeBody();
      return;
    }
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve();
  }

  private closeBody(): void {
    if (this.bodyClosed) return;
    this.bodyClosed = true;
    try {
      this.controller?.close();
    } catch {
      // The reader cancelled it already (the client went away).
    }
  }

  private async pull(): Promise<void> {
    while (this.queue.length === 0 && !this.ending && !this.done) {
      await new Promise<void>((resolve) => {
        this.waiting = { resolve };
      });
    }
    if (this.queue.length > 0 && !this.bodyClosed) {
      const chunk = this.queue.join('');
      this.queue = [];
      this.queuedBytes = 0;
      this.controller?.enqueue(encoder.encode(chunk));
      return;
    }
    if (!this.done) {
      this.done = true;
      this.unsubscribe?.();
      this.unsubscribe = undefined;
    }
    this.closeBody();
  }
}

export const EVENT_STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  // Nginx and similar proxies would otherwise buffer the stream.
  'x-accel-buffering': 'no',
} as const;

/**
 * Open the signed-in user's stream: registered with the hub (which first replays what the client
 * missed after `lastEventId`), ended when the client goes away (`signal`), when the session ends,
 * or when the server stops.
 */
export async function openEventStream(options: {
  hub: LiveHub;
  userId: string;
  sessionId: string;
  lastEventId: number | undefined;
  signal: AbortSignal;
  onEnd?: (reason: string) => void;
}): Promise<ReadableStream<Uint8Array>> {
  const abort = () => stream.finish('client-gone');
  const stream = new EventStream(options.userId, options.sessionId, (reason) => {
    options.signal.removeEventListener('abort', abort);
    options.onEnd?.(reason);
  });
  if (options.signal.aborted) abort();
  else options.signal.addEventListener('abort', abort, { once: true });
  try {
    stream.attach(await options.hub.subscribe(stream, { lastEventId: options.lastEventId }));
  } catch (error) {
    stream.finish('failed');
    throw error;
  }
  return stream.body;
}
