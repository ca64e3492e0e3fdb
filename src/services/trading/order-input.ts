/**
 * What an order request may carry: the one schema the HTTP route validates with (so the OpenAPI
 * document states these limits) and the services parse with. Every limit the domain or the
 * database would otherwise refuse later is stated here, so bad input is a 400 naming its field.
 */
import { z } from 'zod';
import { isIsoDate } from '../../domain/civil-date';
import { safeParseDecimal } from '../../domain/money';
import { OCC_STRIKE_LIMIT, OCC_YEARS, OPTION_TYPES } from '../../domain/occ';
import { hasLimitPrice, hasStopPrice, ORDER_TYPES, type OrderType } from '../../domain/vocabulary';

/** Prices are stored as numeric(10,4): below a million, four decimals. */
const PRICE_LIMIT = 1_000_000;
export const QUANTITY_RANGE = { min: 1, max: 1000 } as const;

/**
 * A positive decimal below `below` with at most `maxDecimals` decimals, given as a string or a
 * number, normalised to a string.
 */
const decimalString = ({ maxDecimals, below }: { maxDecimals: number; below: number }) => {
  const message = `must be a positive number below ${below} with at most ${maxDecimals} decimals`;
  const digits = String(below - 1).length;
  return z
    .union(
      [
        z
          .string()
          .trim()
          .regex(new RegExp(`^\\d{1,${digits}}(\\.\\d{1,${maxDecimals}})?$`), message),
        z.number(message).positive(message).lt(below, message),
      ],
      message,
    )
    .transform((value) => String(value))
    .refine((value) => {
      const parsed = safeParseDecimal(value, { sign: 'positive', maxDecimals });
      return parsed.ok && parsed.value.lt(below);
    }, message)
    .meta({ description: `Greater than 0, below ${below}, at most ${maxDecimals} decimals` });
};

export const priceSchema = decimalString({ maxDecimals: 4, below: PRICE_LIMIT });
// The seed stores strikes as numeric(10,2); OCC symbols hold strikes below 100000.
export const strikeSchema = decimalString({ maxDecimals: 2, below: OCC_STRIKE_LIMIT });
export const quantitySchema = z
  .number()
  .int('must be a whole number')
  .min(QUANTITY_RANGE.min)
  .max(QUANTITY_RANGE.max)
  .meta({ description: `Whole contracts, ${QUANTITY_RANGE.min} to ${QUANTITY_RANGE.max}` });

const EXPIRATION_MESSAGE = `must be a date as YYYY-MM-DD in ${OCC_YEARS.first}–${OCC_YEARS.last}`;
const expirationSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, EXPIRATION_MESSAGE)
  .refine(isIsoDate, 'must be a real calendar date')
  .refine((value) => {
    const year = Number(value.slice(0, 4));
    return year >= OCC_YEARS.first && year <= OCC_YEARS.last;
  }, EXPIRATION_MESSAGE)
  .meta({ description: `YYYY-MM-DD, today (US/Eastern) or later, up to ${OCC_YEARS.last}-12-31` });

const orderTerms = {
  quantity: quantitySchema,
  orderType: z.enum(ORDER_TYPES).default('Market'),
  limitPrice: priceSchema.optional(),
  stopPrice: priceSchema.optional(),
};

/** Limit and StopLimit orders need a limit price; Stop and StopLimit a stop price. */
function requirePrices(
  order: { orderType: OrderType; limitPrice?: string; stopPrice?: string },
  ctx: z.RefinementCtx,
) {
  const needs = { limitPrice: hasLimitPrice(order.orderType), stopPrice: hasStopPrice(order.orderType) };
  const fields = ['limitPrice', 'stopPrice'] as const;
  // Missing prices are reported before superfluous ones.
  for (const field of fields) {
    if (needs[field] && order[field] === undefined) {
      ctx.addIssue({ code: 'custom', path: [field], message: `is required for ${order.orderType} orders` });
    }
  }
  for (const field of fields) {
    if (!needs[field] && order[field] !== undefined) {
      ctx.addIssue({ code: 'custom', path: [field], message: `is not used by ${order.orderType} orders` });
    }
  }
}

export const btoInputSchema = z
  .object({
    side: z.literal('BTO'),
    underlying: z
      .string()
      .trim()
      .regex(/^[A-Za-z]{1,6}$/, 'must be 1 to 6 letters')
      .transform((value) => value.toUpperCase())
      .meta({ example: 'AAPL' }),
    optionType: z.enum(OPTION_TYPES),
    strike: strikeSchema,
    expiration: expirationSchema,
    ...orderTerms,
  })
  .superRefine(requirePrices);

export const stcInputSchema = z
  .object({
    side: z.literal('STC'),
    positionId: z.string().trim().min(1, 'is required'),
    ...orderTerms,
  })
  .superRefine(requirePrices);

/** A BTO or an STC, told apart by `side`: the body of `POST /api/orders`. */
export const placeOrderInputSchema = z
  .discriminatedUnion('side', [btoInputSchema, stcInputSchema])
  .meta({ id: 'PlaceOrder' });

export type BtoInput = z.input<typeof btoInputSchema>;
export type StcInput = z.input<typeof stcInputSchema>;
