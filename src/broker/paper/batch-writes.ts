/**
 * The one statement that writes what a batch of placements decided (see `batch.ts`): the
 * orders, the accounts' new cash, the positions bought and the positions sold.
 */
import { sql } from 'drizzle-orm';
import { sqlArray } from '../../db/arrays';
import type { Transaction } from '../../db/client';
import { newIds } from '../../db/ids';
import { paperAccounts, paperOrders, paperPositions } from '../../db/schema';
import type { PaperOrderRow } from '../../db/schema/paper-rows';
import { databaseNow } from './book';
import type { MarketView } from './market';

/**
 * What the batch writes, gathered as it decides, then written by one statement. Each order
 * may carry its account's new cash and the change to its position: the batch writes at most
 * one order per account here. The columns that orders of one signal share (symbol, side, type,
 * prices, status…) travel once per distinct combination, as a template each order points to.
 */
export class BatchWrites {
  private readonly rows: PaperOrderRow[] = [];
  private readonly cash: (string | null)[] = [];
  private readonly positionQuantity: (number | null)[] = [];
  private readonly positionCost: (string | null)[] = [];

  /**
   * An order to write; with a fill, the account's cash after it and, for its position, the
   * contracts and cost a buy adds, or what a sell leaves.
   */
  order(row: PaperOrderRow, cash?: string, positionQuantity?: number, positionCost?: string): void {
    this.rows.push(row);
    this.cash.push(cash ?? null);
    this.positionQuantity.push(positionQuantity ?? null);
    this.positionCost.push(positionCost ?? null);
  }

  /**
   * Writes everything with one statement, assigns the orders their ids, and answers the time
   * the database stamped on them (null when there was nothing to write). `created_at` is the
   * clock's time nudged past the account's latest order, as `PaperBook.insertOrder` does.
   */
  async flush(tx: Transaction, market: MarketView): Promise<Date | null> {
    const { rows } = this;
    if (rows.length === 0) return null;
    const ids = newIds(rows.length);
    const templates = new Map<string, number>();
    const shared: { [K in (typeof TEMPLATE_COLUMNS)[number]]: (string | null)[] } = {
      symbol: [],
      side: [],
      orderType: [],
      limitPrice: [],
      stopPrice: [],
      timeInForce: [],
      status: [],
      averageFillPrice: [],
      triggeredAt: [],
    };
    const template: number[] = new Array(rows.length);
    rows.forEach((row, i) => {
      row.id = ids[i] ?? '';
      const values = [
        row.symbol,
        row.side,
        row.orderType,
        row.limitPrice,
        row.stopPrice,
        row.timeInForce,
        row.status,
        row.averageFillPrice,
        row.triggeredAt?.toISOString() ?? null,
      ];
      const key = values.join('\u0000');
      let number = templates.get(key);
      if (number === undefined) {
        number = templates.size + 1;
        templates.set(key, number);
        TEMPLATE_COLUMNS.forEach((column, c) => {
          shared[column].push(values[c] ?? null);
        });
      }
      template[i] = number;
    });
    const column = <K extends keyof PaperOrderRow>(key: K) => rows.map((row) => row[key]);
    const { rows: stamped } = await tx.execute<{ at: string | Date }>(sql`
      with t as (
        select * from unnest(${sqlArray(shared.symbol, 'text')}, ${sqlArray(shared.side, 'text')},
          ${sqlArray(shared.orderType, 'text')}, ${sqlArray(shared.limitPrice, 'numeric')},
          ${sqlArray(shared.stopPrice, 'numeric')}, ${sqlArray(shared.timeInForce, 'text')},
          ${sqlArray(shared.status, 'text')}, ${sqlArray(shared.averageFillPrice, 'numeric')},
          ${sqlArray(shared.triggeredAt, 'timestamp')}) with ordinality
          as t(symbol, side, order_type, limit_price, stop_price, time_in_force, status,
               average_fill_price, triggered_at, template)
      ), u as (
        select u.id, u.account_id, u.client_order_id, t.symbol, t.side, u.quantity, t.order_type,
          t.limit_price, t.stop_price, t.time_in_force, t.status, u.filled_quantity,
          t.average_fill_price, t.triggered_at, u.reason, u.cash, u.position_quantity, u.position_cost
        from unnest(${sqlArray(ids, 'text')}, ${sqlArray(column('accountId'), 'text')},
          ${sqlArray(column('clientOrderId'), 'text')}, ${sqlArray(column('quantity'), 'int')},
          ${sqlArray(column('filledQuantity'), 'int')}, ${sqlArray(column('reason'), 'text')},
          ${sqlArray(this.cash, 'numeric')}, ${sqlArray(this.positionQuantity, 'int')},
          ${sqlArray(this.positionCost, 'numeric')}, ${sqlArray(template, 'int')})
          as u(id, account_id, client_order_id, quantity, filled_quantity, reason, cash,
               position_quantity, position_cost, template)
        join t on t.template = u.template
      ), new_orders as (
        insert into ${paperOrders} (id, account_id, client_order_id, symbol, side, quantity, order_type,
          limit_price, stop_price, time_in_force, status, filled_quantity, average_fill_price,
          triggered_at, reason, created_at, updated_at)
        select id, account_id, client_order_id, symbol, side, quantity, order_type, limit_price,
          stop_price, time_in_force, status, filled_quantity, average_fill_price, triggered_at, reason,
          greatest(${market.now.toISOString()}::timestamp,
            (select max(o.created_at) + interval '1 microsecond' from ${paperOrders} o
              where o.account_id = u.account_id)),
          ${databaseNow}
        from u
      ), new_cash as (
        update ${paperAccounts} as p set cash = u.cash, updated_at = ${databaseNow}
        from u where u.cash is not null and p.account_id = u.account_id
      ), bought as (
        insert into ${paperPositions} as p (account_id, symbol, quantity, cost, updated_at)
        select account_id, symbol, position_quantity, position_cost, ${databaseNow}
        from u where side = 'buy' and position_quantity is not null
        on conflict (account_id, symbol) do update
          set quantity = p.quantity + excluded.quantity, cost = p.cost + excluded.cost,
              updated_at = excluded.updated_at
      ), sold as (
        update ${paperPositions} as p
          set quantity = u.position_quantity, cost = u.position_cost, updated_at = ${databaseNow}
        from u
        where u.side = 'sell' and u.position_quantity is not null
          and p.account_id = u.account_id and p.symbol = u.symbol
      )
      select ${databaseNow} as at`);
    const at = stamped[0]?.at;
    if (at === undefined) throw new Error('paper orders not recorded');
    // As Drizzle reads a `timestamp` column: UTC wall-clock text.
    return at instanceof Date ? at : new Date(`${at}+0000`);
  }
}

/** The columns orders share through their template, in the template's order. */
const TEMPLATE_COLUMNS = [
  'symbol',
  'side',
  'orderType',
  'limitPrice',
  'stopPrice',
  'timeInForce',
  'status',
  'averageFillPrice',
  'triggeredAt',
] as const;
