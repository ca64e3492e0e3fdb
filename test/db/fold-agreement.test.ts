/**
 * The fill trigger (SQL) and foldPosition (TypeScript) implement one algorithm. Over many seeded
 * random positions, written by plain SQL, they must agree on every figure to the last digit.
 */
import { describe, expect, it } from 'vitest';
import { type Execution, foldPosition } from '../../src/domain/position';
import { useTestDatabase } from '../helpers/db';
import { createAccount, createPosition, createUser } from '../helpers/factories';

const t = useTestDatabase();

/** mulberry32: a small seeded PRNG, so a failure can be replayed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function scenario(random: () => number): Omit<Execution, 'createdAt'>[] {
  const steps: Omit<Execution, 'createdAt'>[] = [];
  let held = 0;
  const start = Date.UTC(2026, 0, 5, 14, 30);
  const price = () => (Math.floor(random() * 500_000) / 10_000 + 0.01).toFixed(4);
  const count = 2 + Math.floor(random() * 7);
  for (let i = 0; i < count; i++) {
    const sell = held > 0 && random() < 0.5;
    const quantity = sell
      ? i === count - 1 || random() < 0.3
        ? held
        : 1 + Math.floor(random() * held)
      : 1 + Math.floor(random() * 20);
    held += sell ? -quantity : quantity;
    steps.push({
      id: `s${String(i).padStart(2, '0')}`,
      action: sell ? 'sell' : 'buy',
      filledQuantity: quantity,
      filledPrice: price(),
      filledAt: new Date(start + i * 60_000 + Math.floor(random() * 1000)),
    });
  }
  return steps;
}

describe('SQL fill trigger and TypeScript fold', () => {
  it('agree on every sell and every total over 150 random positions', async () => {
    const random = prng(20261125);
    const user = await createUser(t.db);
    const account = await createAccount(t.db, user.id);
    let closed = 0;
    for (let n = 0; n < 150; n++) {
      const steps = scenario(random);
      const position = await createPosition(t.db, user.id, { symbol: `SCN${n}` });
      const createdAt = new Date('2026-01-05T14:00:00Z');
      const values = steps.flatMap((s) => [
        position.id,
        user.id,
        account.id,
        s.action,
        s.filledQuantity,
        s.filledPrice,
        s.filledAt?.toISOString(),
        `${position.id}-${s.id}`,
      ]);
      const rows = steps
        .map((_, i) => {
          const b = i * 8;
          return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 5}, 'Market', $${b + 6}, 'filled', $${b + 7}, '2026-01-05 14:00:00', $${b + 8})`;
        })
        .join(', ');
      // One multi-row statement per position, as any writer could send it.
      await t.sql(
        `INSERT INTO trades (parent_trade_id, user_id, account_id, action, quantity, filled_quantity, order_type,
                             filled_price, status, filled_at, created_at, id) VALUES ${rows}`,
        values,
      );
      const expected = foldPosition(steps.map((s) => ({ ...s, id: `${position.id}-${s.id}`, createdAt })));
      const { rows: sells } = await t.sql<{ id: string; pnl: string; pnl_percent: string | null }>(
        `SELECT id, pnl, pnl_percent FROM trades WHERE parent_trade_id = $1 AND action = 'sell'
          ORDER BY filled_at`,
        [position.id],
      );
      expect(sells.map((s) => ({ id: s.id, pnl: s.pnl, pnlPercent: s.pnl_percent }))).toEqual(expected.sells);
      const { rows: positions } = await t.sql<Record<string, string | number | null>>(
        `SELECT bought_quantity, sold_quantity, avg_entry_price, total_cost_basis, total_proceeds, total_pnl, status
           FROM parent_trades WHERE id = $1`,
        [position.id],
      );
      expect(positions[0]).toEqual({
        bought_quantity: expected.boughtQuantity,
        sold_quantity: expected.soldQuantity,
        avg_entry_price: expected.averageEntry,
        total_cost_basis: expected.totalCostBasis,
        total_proceeds: expected.totalProceeds,
        total_pnl: expected.totalPnl,
        status: expected.status,
      });
      if (expected.status === 'closed') closed += 1;
    }
    // The scenarios exercise both open and fully closed positions.
    expect(closed).toBeGreaterThan(20);
    expect(closed).toBeLessThan(150);
  }, 60_000);
});
