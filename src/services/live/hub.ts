/**
 * The live page's fan-out in one server process (PRODUCT.md §4). The process holds ONE dedicated
 * connection that LISTENs on `alertsify_events` and serves every open stream of the process:
 *
 * - 'w' (events committed, not yet numbered): number them (`sequenceOutbox`; any process may,
 *   they take turns) — which announces 's:<seq>'.
 * - 's:<seq>' (numbered up to seq): read, in one query, the new events of the users with a
 *   stream open here, and hand each stream its own, in order, once.
 *
 * A stream that connects replays what it missed (`Last-Event-ID`) from the outbox before it goes
 * live; the live events arriving meanwhile are held and handed over after, without repeats. A
 * timer sends every stream a heartbeat and, in the same pass, closes the streams whose session
 * ended (expired, signed out, user deleted) with one query for all of them.
 */
import pg from 'pg';
import type { Database } from '../../db/client';
import type { Logger } from '../../logger';
import {
  LIVE_EVENTS_CHANNEL,
  latestSequence,
  liveSessions,
  type OutboxEvent,
  readEventsFor,
  replayEvents,
  SEQUENCE_BATCH,
  sequenceOutbox,
} from './outbox';

/** Why the hub ends a stream. */
export type StreamCloseReason = 'session-ended' | 'server-stopping' | 'replay-limit';

/** An open stream as the hub sees it. The HTTP layer implements it (src/http/event-stream.ts). */
export type LiveSubscriber = {
  userId: string;
  sessionId: string;
  /** Events for this user, in order, each once. Must not block: queue and return. */
  deliver(events: readonly OutboxEvent[]): void;
  heartbeat(): void;
  /** The hub is done with this stream (it has already been removed). */
  close(reason: StreamCloseReason): void;
};

export type LiveHubOptions = {
  db: Database;
  /** A new connection for LISTEN, kept for the life of the hub (not one of the pool's). */
  connect: () => Promise<pg.Client>;
  log: Logger;
  /** Heartbeat and session check interval; 15 s (PRODUCT.md §4). */
  heartbeatMs?: number;
  /** Events replayed to one connection at most; beyond, the stream ends and the client resumes. */
  replayLimit?: number;
};

export type LiveHub = {
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Register a stream: it first receives the user's events after `lastEventId` (when given; else
   * from now), then every new one. Resolves once the replay is handed over, with the function
   * that removes the stream.
   */
  subscribe(subscriber: LiveSubscriber, options?: { lastEventId?: number }): Promise<() => void>;
  /** Open streams in this process. */
  readonly size: number;
};

export const HEARTBEAT_MS = 15_000;
const DEFAULT_REPLAY_LIMIT = 2_000;
const REPLAY_PAGE = 500;
const FETCH_LIMIT = 5_000;
const RECONNECT_DELAYS_MS = [100, 500, 1_000, 2_000, 5_000];

type Entry = {
  subscriber: LiveSubscriber;
  /** The last seq handed to this stream. */
  position: number;
  /** Replaying: live events wait here. */
  held: OutboxEvent[] | null;
  removed: boolean;
};

/** Runs `task` now, or once more after the current run if asked while running; never twice at once. */
function coalesced(task: () => Promise<void>, onError: (error: unknown) => void): () => void {
  let running = false;
  let again = false;
  const run = async () => {
    running = true;
    try {
      do {
        again = false;
        await task();
      } while (again);
    } catch (error) {
      onError(error);
    } finally {
      running = false;
    }
  };
  return () => {
    if (running) again = true;
    else void run();
  };
}

export function createLiveHub(options: LiveHubOptions): LiveHub {
  const { db, log } = options;
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const replayLimit = options.replayLimit ?? DEFAULT_REPLAY_LIMIT;
  const byUser = new Map<string, Set<Entry>>();
  let size = 0;
  /** Every event up to here has been handed to the streams open at the time. */
  let cursor = 0;
  /** The highest seq announced as numbered and committed. */
  let announced = 0;
  let listener: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let reconnects = 0;

  const remove = (entry: Entry) => {
    if (entry.removed) return;
    entry.removed = true;
    size -= 1;
    const entries = byUser.get(entry.subscriber.userId);
    entries?.delete(entry);
    if (entries?.size === 0) byUser.delete(entry.subscriber.userId);
  };

  const handOver = (entry: Entry, events: readonly OutboxEvent[]) => {
    const fresh = events.filter((event) => event.seq > entry.position);
    const last = fresh.at(-1);
    if (!last) return;
    entry.position = last.seq;
    entry.subscriber.deliver(fresh);
  };

  const dispatch = (events: readonly OutboxEvent[]) => {
    const perUser = new Map<string, OutboxEvent[]>();
    for (const event of events) {
      const list = perUser.get(event.userId) ?? [];
      list.push(event);
      perUser.set(event.userId, list);
    }
    for (const [userId, list] of perUser) {
      for (const entry of byUser.get(userId) ?? []) {
        if (entry.held) entry.held.push(...list);
        else handOver(entry, list);
      }
    }
  };

  const fetchNew = coalesced(
    async () => {
      while (!stopped && announced > cursor) {
        const upTo = announced;
        const events = await readEventsFor(db, {
          after: cursor,
          upTo,
          userIds: [...byUser.keys()],
          limit: FETCH_LIMIT,
        });
        dispatch(events);
        // A full page: continue after its last event; else everything up to upTo is handed over.
        cursor = events.length === FETCH_LIMIT ? (events.at(-1)?.seq ?? upTo) : upTo;
      }
    },
    (error) => {
      log.error({ err: error }, 'reading live events failed; retrying');
      setTimeout(() => fetchNew(), 1_000).unref();
    },
  );

  const sequence = coalesced(
    async () => {
      for (;;) {
        const { sequenced } = await sequenceOutbox(db);
        if (sequenced < SEQUENCE_BATCH) return;
      }
    },
    (error) => {
      log.error({ err: error }, 'numbering live events failed; retrying');
      setTimeout(() => sequence(), 1_000).unref();
    },
  );

  const onNotification = (message: pg.Notification) => {
    if (message.channel !== LIVE_EVENTS_CHANNEL || stopped) return;
    const payload = message.payload ?? '';
    if (payload === 'w') {
      sequence();
    } else if (payload.startsWith('s:')) {
      const seq = Number(payload.slice(2));
      if (Number.isSafeInteger(seq) && seq > announced) {
        announced = seq;
        fetchNew();
      }
    }
  };

  const reconnect = () => {
    if (stopped) return;
    const delay = RECONNECT_DELAYS_MS[Math.min(reconnects, RECONNECT_DELAYS_MS.length - 1)] ?? 5_000;
    reconnects += 1;
    log.warn({ delayMs: delay }, 'live events connection lost; reconnecting');
    setTimeout(() => {
      listen().catch((error: unknown) => {
        log.error({ err: error }, 'live events reconnect failed');
        reconnect();
      });
    }, delay).unref();
  };

  const listen = async (): Promise<void> => {
    const client = await options.connect();
    client.on('notification', onNotification);
    client.on('error', (error) => log.warn({ err: error }, 'live events connection failed'));
    client.on('end', () => {
      if (listener !== client) return;
      listener = undefined;
      reconnect();
    });
    try {
      await client.query(`LISTEN ${LIVE_EVENTS_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (stopped) {
      await client.end();
      return;
    }
    listener = client;
    reconnects = 0;
    // Whatever was announced while not listening: number what is waiting, read what is numbered.
    announced = Math.max(announced, await latestSequence(db));
    sequence();
    fetchNew();
  };

  const tick = async () => {
    const entries = [...byUser.values()].flatMap((set) => [...set]);
    if (entries.length === 0) return;
    const live = await liveSessions(db, [...new Set(entries.map((e) => e.subscriber.sessionId))]);
    for (const entry of entries) {
      if (entry.removed) continue;
      if (live.has(entry.subscriber.sessionId)) {
        entry.subscriber.heartbeat();
      } else {
        remove(entry);
        entry.subscriber.close('session-ended');
      }
    }
  };

  return {
    get size() {
      return size;
    },

    async start() {
      cursor = await latestSequence(db);
      announced = cursor;
      await listen();
      timer = setInterval(() => {
        tick().catch((error: unknown) => log.error({ err: error }, 'live streams heartbeat failed'));
      }, heartbeatMs);
      timer.unref();
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearInterval(timer);
      for (const entries of byUser.values()) {
        for (const entry of [...entries]) {
          remove(entry);
          entry.subscriber.close('server-stopping');
        }
      }
      const client = listener;
      listener = undefined;
      await client?.end();
    },

    async subscribe(subscriber, subscribeOptions = {}) {
      if (stopped) throw new Error('the live event hub is stopped');
      const entry: Entry = {
        subscriber,
        position: subscribeOptions.lastEventId ?? cursor,
        held: [],
        removed: false,
      };
      const entries = byUser.get(subscriber.userId) ?? new Set<Entry>();
      entries.add(entry);
      byUser.set(subscriber.userId, entries);
      size += 1;
      const unsubscribe = () => remove(entry);
      try {
        let replayed = 0;
        for (;;) {
          const page = await replayEvents(db, {
            userId: subscriber.userId,
            after: entry.position,
            limit: REPLAY_PAGE,
          });
          if (entry.removed) return unsubscribe;
          handOver(entry, page);
          replayed += page.length;
          if (page.length < REPLAY_PAGE) break;
          if (replayed >= replayLimit) {
            // The client resumes from what it got, in a fresh request.
            remove(entry);
            subscriber.close('replay-limit');
            return unsubscribe;
          }
        }
        const held = entry.held ?? [];
        entry.held = null;
        handOver(entry, held);
        return unsubscribe;
      } catch (error) {
        remove(entry);
        throw error;
      }
    },
  };
}

/** The hub's LISTEN connection factory for a database URL (UTC, like the pool's connections). */
export function listenConnection(databaseUrl: string): () => Promise<pg.Client> {
  return async () => {
    const client = new pg.Client({ connectionString: databaseUrl, options: '-c timezone=UTC' });
    await client.connect();
    return client;
  };
}
