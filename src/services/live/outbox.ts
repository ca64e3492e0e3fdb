/**
 * Reading the live events outbox (`event_outbox`, written by triggers: src/db/migrations, the
 * `*_outbox` functions). Events are read in `seq` order, the order the sequencer numbered them
 * after they committed, so "everything after seq N" never misses a late commit.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import type { LiveEventType } from '../../domain/live-events';

/** The channel the triggers and the sequencer announce on. */
export const LIVE_EVENTS_CHANNEL = 'alertsify_events';

/** One event as the stream sends it: its id, its type and its payload as JSON text. */
export type OutboxEvent = { seq: number; userId: string; type: LiveEventType; json: string };

type Row = { seq: string; user_id: string; type: LiveEventType; json: string };

const toEvent = (row: Row): OutboxEvent => ({
  seq: Number(row.seq),
  userId: row.user_id,
  type: row.type,
  json: row.json,
});

/** Rows numbered per call at most: a burst larger than this is numbered in several steps. */
export const SEQUENCE_BATCH = 10_000;

/**
 * Number the committed events not yet numbered, in one serialised step, and announce the last
 * number (`s:<seq>`). Safe to run from any number of processes at once: they take turns.
 */
export async function sequenceOutbox(db: Executor): Promise<{ sequenced: number; lastSeq: number | null }> {
  const { rows } = await db.execute<{ sequenced: number; last_seq: string | null }>(
    sql`SELECT sequenced, last_seq FROM sequence_event_outbox(${SEQUENCE_BATCH})`,
  );
  const row = rows[0];
  return {
    sequenced: row?.sequenced ?? 0,
    lastSeq: row?.last_seq === null || row?.last_seq === undefined ? null : Number(row.last_seq),
  };
}

/** The highest number handed out so far (0 before any): where a process starts listening. */
export async function latestSequence(db: Executor): Promise<number> {
  const { rows } = await db.execute<{ seq: string | null }>(sql`SELECT max(seq) AS seq FROM event_outbox`);
  return Number(rows[0]?.seq ?? 0);
}

/** The events numbered in (after, upTo] for any of these users, in order, at most `limit`. */
export async function readEventsFor(
  db: Executor,
  input: { after: number; upTo: number; userIds: readonly string[]; limit: number },
): Promise<OutboxEvent[]> {
  if (input.userIds.length === 0) return [];
  const { rows } = await db.execute<Row>(sql`
    SELECT seq, user_id, type, payload::text AS json FROM event_outbox
     WHERE seq > ${input.after} AND seq <= ${input.upTo}
       AND user_id = ANY(${sql.param([...input.userIds])}::text[])
     ORDER BY seq
     LIMIT ${input.limit}`);
  return rows.map(toEvent);
}

/** One user's events after `after` (a reconnect's Last-Event-ID), in order, at most `limit`. */
export async function replayEvents(
  db: Executor,
  input: { userId: string; after: number; limit: number },
): Promise<OutboxEvent[]> {
  const { rows } = await db.execute<Row>(sql`
    SELECT seq, user_id, type, payload::text AS json FROM event_outbox
     WHERE user_id = ${input.userId} AND seq > ${input.after}
     ORDER BY seq
     LIMIT ${input.limit}`);
  return rows.map(toEvent);
}

/** Of these sessions, the ones still valid: not expired, not signed out, their user not deleted. */
export async function liveSessions(db: Executor, sessionIds: readonly string[]): Promise<Set<string>> {
  if (sessionIds.length === 0) return new Set();
  const { rows } = await db.execute<{ id: string }>(sql`
    SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.id = ANY(${sql.param([...sessionIds])}::text[])
       AND s.expires > now() AT TIME ZONE 'UTC' AND u.deleted_at IS NULL`);
  return new Set(rows.map((row) => row.id));
}
