import type { parentTrades, Trade } from '../../db/schema';
import type { OrderChangeEventType, OrderStatus } from '../../domain/order-status';
import type { ServiceContext } from '../context';
import type { Transaction } from '../transaction';

/** Where a broker report came from. */
export type OrderUpdateSource = 'placement' | 'sync' | 'webhook' | 'refresh' | 'cancel' | 'expiry';

/** One step an order took along the allowed transitions. */
export type OrderChange = { type: OrderChangeEventType; from: OrderStatus; to: OrderStatus };

/** An order's position as the order's notifications describe it. */
export type OrderPosition = Pick<
  typeof parentTrades.$inferSelect,
  'id' | 'underlying' | 'optionType' | 'strike' | 'expiration'
>;

/** An order a batch of broker reports changed, as a reaction sees it. */
export type ChangedOrder = {
  /** The row before the change (with several reports for one order in a batch: before the last). */
  before: Trade;
  /** The row as written. */
  after: Trade;
  /** Its status changes; none when the report only brought the broker's order id. */
  changes: readonly OrderChange[];
  source: OrderUpdateSource;
  /** Its position, when the code that changed the order already had it (nothing reads it again). */
  position?: OrderPosition;
};

/**
 * What an area does when orders change (PRODUCT.md: copies, notifications, balances, sync). It
 * runs inside the transaction that changed them, after the rows and the order events are
 * written, so its work commits with the change or not at all. It must take a fixed number of
 * statements however many orders changed.
 */
export type OrderReaction = {
  name: string;
  react(input: { tx: Transaction; ctx: ServiceContext; orders: readonly ChangedOrder[] }): Promise<void>;
};
