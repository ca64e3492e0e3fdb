/**
 * The live events outbox in the database: the triggers write one event per change, with the
 * payloads of src/domain/live-events.ts, in the transaction of the change; the sequencer numbers
 * committed events in commit order; each writing transaction announces itself once.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sequenceOutbox } from '../../src/services/live/outbox';
import { notifyMany } from '../../src/services/notifications/notify';
import { placeBto } from '../../src/services/trading/place-bto';
import { type CopyWorld, copyWorld, SYMBOL, subscriber, trader, traderBuys } from '../copy/support';
import { useTestDatabase } from '../helpers/db';
import { createAccount, createUser } from '../helpers/factories';

const t = useTestDatabase();
let w: CopyWorld;

type Row = {
  id: number;
  seq: number | null;
  user_id: string;
  type: string;
  payload: Record<string, unknown>;
};

/** Events written after `after` (an outbox id), in insertion order. */
async function eventsAfter(after: number): Promise<Row[]> {
  const { rows } = await t.sql<Row>(
    'SELECT id::int, seq::int, user_id, type, payload FROM event_outbox WHERE id > $1 ORDER BY id',
    [after],
  );
  return rows;
}

async function lastId(): Promise<number> {
  const { rows } = await t.sql<{ id: number }>('SELECT COALESCE(max(id), 0)::int AS id FROM event_outbox');
  return rows[0]?.id ?? 0;
}

let listener: pg.Client;
const heard: string[] = [];

beforeAll(async () => {
  w = copyWorld(t);
  listener = new pg.Client({ connectionString: t.url });
  await listener.connect();
  listener.on('notification', (message) => heard.push(message.payload ?? ''));
  await listener.query('LISTEN alertsify_events');
});
afterAll(async () => {
  await listener.end();
});

/**
 * Where the listener is now, once every notification committed so far has reached it (they
 * arrive after their commit, asynchronously): a marker committed last arrives after them.
 */
let markers = 0;
async function heardSoFar(): Promise<number> {
  const marker = `sync:${++markers}`;
  await t.sql(`SELECT pg_notify('alertsify_events', $1)`, [marker]);
  for (let i = 0; i < 500 && !heard.includes(marker); i++) await new Promise((r) => setTimeout(r, 10));
  return heard.length;
}

async function heardAfter(count: number, predicate: (messages: string[]) => boolean): Promise<string[]> {
  for (let i = 0; i < 500 && !predicate(heard.slice(count)); i++) await new Promise((r) => setTimeout(r, 10));
  return heard.slice(count);
}

describe('the triggers', () => {
  it('write the order, position and account events of a placement, with their payloads', async () => {
    const userId = await trader(w);
    const before = await lastId();
    const trade = await placeBto({
      ctx: w.as(userId),
      deps: w.trading,
      input: {
        side: 'BTO',
        underlying: 'AAPL',
        optionType: 'call',
        strike: '150',
        expiration: '2030-01-18',
        quantity: 2,
      },
    });
    expect(trade.status).toBe('filled');
    const events = await eventsAfter(before);
    expect(new Set(events.map((e) => e.user_id))).toEqual(new Set([userId]));
    const order = {
      type: 'order',
      orderId: trade.id,
      positionId: trade.parentTradeId,
      accountId: trade.accountId,
    };
    const common = { ...order, symbol: SYMBOL, side: 'BTO', source: 'manual', quantity: 2 };
    expect(events.filter((e) => e.type === 'order').map((e) => e.payload)).toEqual([
      { ...common, status: 'pending', filledQuantity: 0 },
      { ...common, status: 'filled', filledQuantity: 2 },
    ]);
    const positions = events.filter((e) => e.type === 'position').map((e) => e.payload);
    expect(positions[0]).toEqual({ type: 'position', positionId: trade.parentTradeId, status: 'open' });
    expect(positions.length).toBeGreaterThanOrEqual(2);
    // The position event of the fill follows the order's fill: one transaction, in statement order.
    const filledAt = events.findIndex((e) => e.type === 'order' && e.payload.status === 'filled');
    expect(events.slice(filledAt).some((e) => e.type === 'position')).toBe(true);
  });

  it('write nothing for a change no page shows (claiming an order, a balance sync that found the same)', async () => {
    const user = await createUser(t.db);
    const account = await createAccount(t.db, user.id);
    const before = await lastId();
    await t.sql('UPDATE accounts SET last_sync_at = now() WHERE id = $1', [account.id]);
    await t.sql('UPDATE accounts SET balance = balance WHERE id = $1', [account.id]);
    expect(await eventsAfter(before)).toEqual([]);
    await t.sql(`UPDATE accounts SET balance = 1234.56 WHERE id = $1`, [account.id]);
    expect((await eventsAfter(before)).map((e) => e.payload)).toEqual([
      { type: 'account', accountId: account.id },
    ]);
  });

  it('write a copy event per decision for its subscriber, and one per later move', async () => {
    const boss = await trader(w);
    const waiting = await subscriber(w, boss, { autoExecute: false });
    const copied = await subscriber(w, boss, { autoExecute: true });
    const before = await lastId();
    await traderBuys(w, boss, 1);
    const events = await eventsAfter(before);
    const copies = (userId: string) => events.filter((e) => e.type === 'copy' && e.user_id === userId);
    const [alert] = copies(waiting.userId);
    expect(copies(waiting.userId)).toHaveLength(1);
    expect(alert?.payload).toMatchObject({
      type: 'copy',
      subscriptionId: waiting.subscriptionId,
      outcome: 'pending_approval',
      reason: null,
      copyOrderId: null,
    });
    // Decided already linked to its copy order: one change the copy log shows.
    expect(copies(copied.userId).map((e) => [e.payload.outcome, e.payload.copyOrderId !== null])).toEqual([
      ['executed', true],
    ]);
    // The subscriber waiting for approval is told with a notification too.
    expect(events.some((e) => e.type === 'notification' && e.user_id === waiting.userId)).toBe(true);

    const mark = await lastId();
    await t.sql(`UPDATE subscription_trades SET outcome = 'dismissed' WHERE id = $1`, [
      alert?.payload.decisionId,
    ]);
    expect((await eventsAfter(mark)).map((e) => e.payload)).toEqual([
      { ...alert?.payload, outcome: 'dismissed' },
    ]);
  });

  it('write a notification event per notification of a statement, with the unread count after it, and one when read', async () => {
    const [a, b] = [await createUser(t.db), await createUser(t.db)];
    if (!a || !b) throw new Error('no users');
    const before = await lastId();
    await notifyMany({
      tx: t.db,
      ctx: w.system,
      input: [
        { userId: a.id, type: 'order_filled', title: 'One', body: 'first', data: { n: 1 } },
        { userId: b.id, type: 'subscription_new', title: 'Two', body: 'second' },
        { userId: a.id, type: 'order_cancelled', title: 'Three', body: 'third' },
      ],
    });
    const events = await eventsAfter(before);
    expect(events.map((e) => [e.user_id, e.payload.title, e.payload.unread])).toEqual([
      [a.id, 'One', 2],
      [b.id, 'Two', 1],
      [a.id, 'Three', 2],
    ]);
    const first = events[0]?.payload;
    expect(first).toEqual({
      type: 'notification',
      notificationId: expect.any(String),
      notificationType: 'order_filled',
      title: 'One',
      body: 'first',
      data: { n: 1 },
      read: false,
      createdAt: w.clock.now().toISOString(),
      unread: 2,
    });
    const mark = await lastId();
    await t.sql('UPDATE notifications SET read = TRUE WHERE id = $1', [first?.notificationId]);
    expect((await eventsAfter(mark)).map((e) => e.payload)).toEqual([{ ...first, read: true, unread: 1 }]);
  });
});

describe('numbering and announcing', () => {
  it('numbers events in the order their transactions commit, not the order they were written', async () => {
    // Two users: notifications of one user take turns on the user's unread counter.
    const [first, second] = [await createUser(t.db), await createUser(t.db)];
    const early = await t.pool.connect();
    const late = await t.pool.connect();
    try {
      await sequenceOutbox(t.db);
      // `early` writes first (the lower id) but commits last.
      await early.query('BEGIN');
      await early.query(
        `INSERT INTO notifications (user_id, type, title, body) VALUES ($1, 'order_filled', 'early', 'e')`,
        [first.id],
      );
      await late.query('BEGIN');
      await late.query(
        `INSERT INTO notifications (user_id, type, title, body) VALUES ($1, 'order_filled', 'late', 'l')`,
        [second.id],
      );
      await late.query('COMMIT');
      const lateNumbered = await sequenceOutbox(t.db);
      expect(lateNumbered.sequenced).toBe(1);
      await early.query('COMMIT');
      const earlyNumbered = await sequenceOutbox(t.db);
      expect(earlyNumbered.sequenced).toBe(1);

      const { rows } = await t.sql<{ id: number; seq: number; title: string }>(
        `SELECT id::int, seq::int, payload->>'title' AS title FROM event_outbox
          WHERE user_id = ANY($1) ORDER BY id`,
        [[first.id, second.id]],
      );
      const [written1, written2] = rows;
      expect(written1?.title).toBe('early');
      expect(written2?.title).toBe('late');
      // Written first, numbered last: a reader that saw "late" resumes after it and still gets "early".
      expect(written2?.seq).toBe(lateNumbered.lastSeq);
      expect(written1?.seq).toBe(earlyNumbered.lastSeq);
      expect(earlyNumbered.lastSeq ?? 0).toBeGreaterThan(lateNumbered.lastSeq ?? 0);
    } finally {
      early.release();
      late.release();
    }
  });

  it('announces a writing transaction once, after it commits, and each numbering with its last number', async () => {
    const user = await createUser(t.db);
    await sequenceOutbox(t.db);
    const count = await heardSoFar();
    await t.db.transaction(async (tx) => {
      for (let i = 0; i < 3; i++) {
        await notifyMany({
          tx,
          ctx: w.system,
          input: [{ userId: user.id, type: 'order_filled', title: `n${i}`, body: 'b' }],
        });
      }
    });
    const written = await heardAfter(count, (m) => m.length >= 1);
    expect(written).toEqual(['w']);
    const { lastSeq } = await sequenceOutbox(t.db);
    const all = await heardAfter(count, (m) => m.length >= 2);
    expect(all).toEqual(['w', `s:${lastSeq}`]);
  });

  it('a rolled-back change leaves no event and announces nothing', async () => {
    const user = await createUser(t.db);
    const before = await lastId();
    const count = await heardSoFar();
    await expect(
      t.db.transaction(async (tx) => {
        await notifyMany({
          tx,
          ctx: w.system,
          input: [{ userId: user.id, type: 'order_filled', title: 'x', body: 'y' }],
        });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    // A later write is announced; the rolled-back one never was.
    await notifyMany({
      tx: t.db,
      ctx: w.system,
      input: [{ userId: user.id, type: 'order_filled', title: 'kept', body: 'y' }],
    });
    await heardAfter(count, (m) => m.length >= 1);
    expect(heard.slice(count)).toEqual(['w']);
    expect((await eventsAfter(before)).map((e) => e.payload.title)).toEqual(['kept']);
  });
});
