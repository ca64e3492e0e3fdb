import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { LIVE_EVENT_TYPES } from '../../domain/live-events';
import { checkIn } from '../sql-sets';
import { ts } from './columns';

/**
 * The live page's outbox (PRODUCT.md §4): one row per change a user's open pages should hear of,
 * written by triggers in the transaction that made the change (src/db/migrations, `*_outbox_*`).
 *
 * `id` is the insertion order, which is not the order transactions commit in: a transaction that
 * took id 7 may commit after the one that took id 8. `seq` is the delivery order: the server
 * numbers committed rows in one serialised step (`sequence_event_outbox()`), so a row numbered
 * later never commits before one numbered earlier, and a reader that has seen `seq` N has seen
 * every event up to N that will ever exist. `seq` is the event id clients resume from.
 */
export const eventOutbox = pgTable(
  'event_outbox',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    seq: bigint('seq', { mode: 'number' }),
    userId: text('user_id').notNull(),
    type: text('type', { enum: LIVE_EVENT_TYPES }).notNull(),
    /** The LiveEvent as the stream sends it (src/domain/live-events.ts). */
    payload: jsonb('payload').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    checkIn('event_outbox_type_check', 'type', LIVE_EVENT_TYPES),
    // Readers take ranges of seq; the sequencer finds the rows not yet numbered here too (seq IS NULL).
    uniqueIndex('uq_event_outbox_seq').on(t.seq),
    // Replay after a reconnect reads one user's events after a seq. Numbered rows only: the
    // writers' INSERTs (in the transaction of every change) do not maintain it.
    index('idx_event_outbox_user_seq').on(t.userId, t.seq).where(sql`seq IS NOT NULL`),
    // Pruning by age: rows are appended in time order, so a BRIN index stays tiny.
    index('idx_event_outbox_created').using('brin', t.createdAt),
  ],
);
