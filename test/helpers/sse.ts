/**
 * A server-sent-events client over real HTTP, for tests and benchmarks: it keeps every event and
 * comment it reads, and lets the caller wait for what it expects.
 */
import http from 'node:http';

export type SseEvent = { id: string | undefined; event: string; data: string; receivedAt: number };

export type SseClient = {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: SseEvent[];
  comments: string[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** The last event id received (what a browser would send back as Last-Event-ID). */
  lastEventId(): string | undefined;
  /** Waits until `predicate` holds for the events read so far (polling the list, no timing assertion). */
  waitFor(predicate: (events: SseEvent[]) => boolean, timeoutMs?: number): Promise<SseEvent[]>;
  waitForComment(predicate: (comment: string) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
  /** Stop reading from the socket (a client that does not keep up). */
  pause(): void;
};

export type SseOptions = {
  cookie?: string;
  lastEventId?: string;
  /** Called for every event as it is parsed (benchmarks time them here). */
  onEvent?: (event: SseEvent) => void;
  agent?: http.Agent;
};

/** Open `url` as EventSource would and parse the stream as it arrives. */
export function openSse(url: string, options: SseOptions = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (options.cookie) headers.cookie = options.cookie;
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
    const request = http.get(url, { headers, agent: options.agent ?? false }, (response) => {
      const events: SseEvent[] = [];
      const comments: string[] = [];
      let buffer = '';
      let endedResolve: () => void = () => {};
      const ended = new Promise<void>((done) => {
        endedResolve = done;
      });
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        for (;;) {
          const end = buffer.indexOf('\n\n');
          if (end < 0) break;
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let id: string | undefined;
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) {
            const parsed = { id, event, data: data.join('\n'), receivedAt: performance.now() };
            events.push(parsed);
            options.onEvent?.(parsed);
          }
        }
      });
      response.on('end', () => endedResolve());
      response.on('close', () => endedResolve());
      response.on('error', () => endedResolve());
      const until = async (check: () => boolean, what: string, timeoutMs: number) => {
        const deadline = Date.now() + timeoutMs;
        while (!check()) {
          if (Date.now() > deadline)
            throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(events)}`);
          await new Promise((r) => setTimeout(r, 10));
        }
      };
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        events,
        comments,
        ended,
        lastEventId: () => events.at(-1)?.id,
        waitFor: async (predicate, timeoutMs = 10_000) => {
          await until(() => predicate(events), 'events', timeoutMs);
          return events;
        },
        waitForComment: async (predicate, timeoutMs = 10_000) => {
          await until(() => comments.some(predicate), 'a comment', timeoutMs);
        },
        close: () => request.destroy(),
        pause: () => response.pause(),
      });
    });
    request.on('error', reject);
  });
}

/** The JSON of each event. */
export function payloads<T = Record<string, unknown>>(events: readonly SseEvent[]): T[] {
  return events.map((event) => JSON.parse(event.data) as T);
}
