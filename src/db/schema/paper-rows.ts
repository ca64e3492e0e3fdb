/**
 * The paper broker's rows as Drizzle reads and writes them. Beside the tables rather than in the
 * broker, so that the modules which evaluate orders and the book which stores them both depend
 * on the schema and not on each other.
 */
import type { paperOrders, paperPositions } from './paper';

export type PaperOrderRow = typeof paperOrders.$inferSelect;
export type PaperPositionRow = typeof paperPositions.$inferSelect;

/** A new order as the broker decides it; the books assign its id, account, times and fills. */
export type NewPaperOrder = Omit<
  typeof paperOrders.$inferInsert,
  'id' | 'accountId' | 'createdAt' | 'updatedAt' | 'filledQuantity' | 'averageFillPrice' | 'triggeredAt'
>;
