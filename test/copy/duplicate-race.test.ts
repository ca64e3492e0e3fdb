/**
 * PRODUCT.md §3 duplicate rule under concurrency: two traders' fan-outs on the same contract at
 * the same instant cannot both open a copy for one subscriber. The fan-outs lock every
 * subscription of the subscribers they touch, in id order, before reading; the second decides
 * after the first commits and sees its copy.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { fanOutCopies } from '../../src/services/copy/fan-out-copies';
import { placeBto } from '../../src/services/trading/place-bto';
import { useTestDatabase } from '../helpers/db';
import { CONTRACT, copyWorld, subscriber, trader } from './support';

const t = useTestDatabase();

describe('duplicate protection under concurrency', () => {
  it('fan-outs of two traders on one contract at once open one copy per subscriber, the other is a duplicate', async () => {
    const w = copyWorld(t);
    const first = await trader(w);
    const second = await trader(w);
    const N = 12;
    const users = [];
    for (let i = 0; i < N; i++) {
      const user = await subscriber(w, first);
      await subscriber(w, second, {}, { account: false, userId: user.userId });
      users.push(user.userId);
    }
    const buys = await Promise.all(
      [first, second].map((id) =>
        placeBto({ ctx: w.as(id), deps: w.trading, input: { side: 'BTO', ...CONTRACT, quantity: 1 } }),
      ),
    );
    for (let round = 0; round < 2; round++) {
      const runs = await Promise.allSettled(
        buys.map((b) => fanOutCopies({ ctx: w.system, deps: w.trading, input: { tradeId: b.id } })),
      );
      if (runs.every((r) => r.status === 'fulfilled')) break;
    }
    const { rows } = await t.db.execute<{
      subscriber_id: string;
      executed: number;
      duplicate: number;
      open: number;
    }>(sql`
      SELECT d.subscriber_id,
             count(*) FILTER (WHERE d.outcome = 'executed')::int AS executed,
             count(*) FILTER (WHERE d.reason = 'duplicate')::int AS duplicate,
             (SELECT count(*) FROM parent_trades p WHERE p.user_id = d.subscriber_id AND p.status = 'open')::int AS open
        FROM subscription_trades d
       WHERE d.source_trade_id = ANY(${sql.param(buys.map((b) => b.id))}::text[])
       GROUP BY d.subscriber_id`);
    expect(rows).toHaveLength(N);
    for (const row of rows) expect(row).toMatchObject({ executed: 1, duplicate: 1, open: 1 });
  });
});
