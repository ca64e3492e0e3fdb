import { z } from '@hono/zod-openapi';
import { OPTION_TYPES } from '../../domain/occ';
import { ORDER_STATUSES } from '../../domain/order-status';
import {
  ACCOUNT_PROVIDERS,
  ORDER_TYPES,
  POSITION_STATUSES,
  TRADE_SIDES,
  TRADE_SOURCES,
} from '../../domain/vocabulary';

/** Shapes the routes answer with (documentation and response typing), and their shared pieces. */

/** A JSON response of a route: its schema and what it means. */
export const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** The `{id}` path parameter. */
export const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const decimal = z.string().openapi({ description: 'Decimal as a string', example: '2.5000' });
const nullableDecimal = decimal.nullable();
const timestamp = z.string().nullable().openapi({ format: 'date-time' });

export const AccountSchema = z
  .object({
    id: z.string(),
    provider: z.enum(ACCOUNT_PROVIDERS),
    brokerName: z.string(),
    brokerSlug: z.string(),
    accountNumber: z.string(),
    accountName: z.string().nullable(),
    accountType: z.string().nullable(),
    isSelected: z.boolean(),
    isActive: z.boolean(),
    needsReconnect: z.boolean().openapi({
      description: 'The SnapTrade connection is broken: reconnect it (copies to it are skipped meanwhile)',
    }),
    reconnectReason: z.string().nullable(),
    readOnly: z.boolean().openapi({
      description: 'The brokerage connects read-only through SnapTrade: it cannot be selected for trading',
    }),
    balance: nullableDecimal,
    buyingPower: nullableDecimal,
    lastSyncAt: timestamp,
    createdAt: timestamp,
  })
  .openapi('Account');

export const OrderSchema = z
  .object({
    id: z.string(),
    positionId: z.string(),
    accountId: z.string(),
    symbol: z.string().openapi({ example: 'AAPL  260116C00150000' }),
    underlying: z.string(),
    optionType: z.enum(OPTION_TYPES),
    strike: decimal,
    expiration: z.string().openapi({ format: 'date' }),
    side: z.enum(TRADE_SIDES),
    quantity: z.number().int(),
    filledQuantity: z.number().int(),
    orderType: z.enum(ORDER_TYPES),
    limitPrice: nullableDecimal,
    stopPrice: nullableDecimal,
    filledPrice: nullableDecimal,
    status: z.enum(ORDER_STATUSES),
    statusReason: z.string().nullable(),
    brokerOrderId: z.string().nullable(),
    source: z.enum(TRADE_SOURCES),
    sourceTraderId: z.string().nullable(),
    sourceTradeId: z.string().nullable(),
    pnl: nullableDecimal.openapi({ description: 'Realised P&L of a sell (× 100 per contract)' }),
    pnlPercent: nullableDecimal,
    createdAt: timestamp,
    filledAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi('Order');

export const PositionSchema = z
  .object({
    id: z.string(),
    symbol: z.string(),
    underlying: z.string(),
    optionType: z.enum(OPTION_TYPES),
    strike: decimal,
    expiration: z.string().openapi({ format: 'date' }),
    status: z.enum(POSITION_STATUSES),
    boughtQuantity: z.number().int(),
    soldQuantity: z.number().int(),
    openQuantity: z.number().int(),
    averageEntryPrice: nullableDecimal,
    totalCostBasis: nullableDecimal,
    totalProceeds: nullableDecimal,
    realizedPnl: nullableDecimal,
    copiedFromPositionId: z.string().nullable(),
    openedAt: timestamp,
    closedAt: timestamp,
  })
  .openapi('Position');

export const PositionWithOrdersSchema = PositionSchema.extend({ orders: z.array(OrderSchema) }).openapi(
  'PositionWithOrders',
);

/** Dates to ISO strings, recursively over one level of objects and arrays: what JSON sends. */
export function serialize<T>(value: T): Serialized<T> {
  return JSON.parse(JSON.stringify(value)) as Serialized<T>;
}

export type Serialized<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Serialized<U>[]
    : T extends object
      ? { [K in keyof T]: Serialized<T[K]> }
      : T;
