import { sql } from 'drizzle-orm';
import { sqlSet } from '../../db/sql-sets';
import { WORKING_ORDER_STATUSES } from '../../domain/order-status';
import type { Transaction } from '../transaction';

/** A subscriber's open copy of a trader's position, and what it can still close. */
export type CopiedHolding = {
  positionId: string;
  userId: string;
  /** The account holding the contracts (that of the first filled buy). */
  accountId: string | null;
  /** Filled bought − filled sold. */
  held: number;
  /** What working sells may still fill. */
  workingSells: number;
};

/**
 * The open copies of a trader's position, one per subscriber (or only `userId`'s), for close
 * mirroring and for approving a closing copy.
 */
export async function copiedHoldings(
  tx: Transaction,
  traderPositionId: string,
  userId?: string,
): Promise<CopiedHolding[]> {
  const { rows } = await tx.execute<{
    position_id: string;
    user_id: string;
    account_id: string | null;
    held: number;
    working_sells: number;
  }>(sql`
    SELECT p.id AS position_id, p.user_id,
           (array_agg(t.account_id ORDER BY t.created_at) FILTER (WHERE t.action = 'buy' AND t.filled_quantity > 0))[1] AS account_id,
           (p.bought_quantity - p.sold_quantity)::int AS held,
           COALESCE(sum(t.quantity - t.filled_quantity) FILTER (WHERE t.action = 'sell' AND t.status IN ${sqlSet(WORKING_ORDER_STATUSES)}), 0)::int AS working_sells
      FROM parent_trades p LEFT JOIN trades t ON t.parent_trade_id = p.id
     WHERE p.source_parent_trade_id = ${traderPositionId} AND p.status = 'open'
       AND (${userId ?? null}::text IS NULL OR p.user_id = ${userId ?? null})
     GROUP BY p.id`);
  return rows.map((r) => ({
    positionId: r.position_id,
    userId: r.user_id,
    accountId: r.account_id,
    held: r.held,
    workingSells: r.working_sells,
  }));
}
