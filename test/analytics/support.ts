import type { TestDatabase } from '../helpers/db';
import { createPosition, createTrade } from '../helpers/factories';

/** A contract written out: underlying, call/put, strike, expiration. */
export type Contract = { underlying: string; optionType: 'call' | 'put'; strike: string; expiration: string };

export function occSymbol(c: Contract): string {
  const [year, month, day] = c.expiration.split('-');
  const strike = String(Math.round(Number(c.strike) * 1000)).padStart(8, '0');
  return `${c.underlying.padEnd(6)}${year?.slice(2)}${month}${day}${c.optionType === 'call' ? 'C' : 'P'}${strike}`;
}

export type Fill = { quantity: number; price: string; at: string };

/**
 * A position written the way any writer could (rows inserted, the fill trigger folding them):
 * opened at `openedAt`, bought and sold at the given prices and instants. Sells of the whole
 * quantity close it at the last fill.
 */
export async function tradedPosition(
  t: TestDatabase,
  owner: { userId: string; accountId: string },
  spec: {
    contract: Contract;
    openedAt: string;
    buys: Fill[];
    sells?: Fill[];
    copiedFrom?: { positionId: string; traderId: string; tradeIds: string[] };
  },
): Promise<{ positionId: string; tradeIds: string[] }> {
  const position = await createPosition(t.db, owner.userId, {
    ...spec.contract,
    symbol: occSymbol(spec.contract),
    openedAt: new Date(spec.openedAt),
    createdAt: new Date(spec.openedAt),
    sourceParentTradeId: spec.copiedFrom?.positionId,
  });
  const tradeIds: string[] = [];
  const fills = [
    ...spec.buys.map((fill) => ({ action: 'buy' as const, fill })),
    ...(spec.sells ?? []).map((fill) => ({ action: 'sell' as const, fill })),
  ];
  for (const [index, { action, fill }] of fills.entries()) {
    const copied = spec.copiedFrom
      ? {
          source: 'copy' as const,
          sourceTraderId: spec.copiedFrom.traderId,
          sourceTradeId: spec.copiedFrom.tradeIds[index],
        }
      : {};
    const trade = await createTrade(t.db, position, owner.accountId, {
      action,
      quantity: fill.quantity,
      price: fill.price,
      filledAt: new Date(fill.at),
      createdAt: new Date(fill.at),
      ...copied,
    });
    tradeIds.push(trade.id);
  }
  return { positionId: position.id, tradeIds };
}

/** One refresh of the materialized views, as the job runs it. */
export async function refresh(t: TestDatabase): Promise<void> {
  await t.sql('SELECT refresh_analytics()');
}
