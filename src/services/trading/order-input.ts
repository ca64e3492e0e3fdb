import { z } from 'zod';
import { isIsoDate } from '../../domain/civil-date';
import { safeParseDecimal } from '../../domain/money';
import { OPTION_TYPES } from '../../domain/occ';
import { ORDER_TYPES, type OrderType } from '../../domain/vocabulary';

/** A positive decimal given as a string or a number, normalised to a string. */
const decimalString = (maxDecimals: number) =>
  z
    .union([z.string().trim(), z.number()])
    .transform((value) => String(value))
    .refine((value) => safeParseDecimal(value, { sign: 'positive', maxDecimals }).ok, {
      message: `must be a positive number with at most ${maxDecimals} decimals`,
    });

export const priceSchema = decimalString(4);
// The seed stores strikes as numeric(10,2).
export const strikeSchema = decimalString(2);
export const quantitySchema = z.number().int('must be a whole number').min(1).max(1000);

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
  const needsLimit = order.orderType === 'Limit' || order.orderType === 'StopLimit';
  const needsStop = order.orderType === 'Stop' || order.orderType === 'StopLimit';
  if (needsLimit && order.limitPrice === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['limitPrice'],
      message: `is required for ${order.orderType} orders`,
    });
  }
  if (needsStop && order.stopPrice === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['stopPrice'],
      message: `is required for ${order.orderType} orders`,
    });
  }
  if (!needsLimit && order.limitPrice !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['limitPrice'],
      message: `is not used by ${order.orderType} orders`,
    });
  }
  if (!needsStop && order.stopPrice !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['stopPrice'],
      message: `is not used by ${order.orderType} orders`,
    });
  }
}

export const btoInputSchema = z
  .object({
    side: z.literal('BTO'),
    underlying: z
      .string()
      .trim()
      .regex(/^[A-Za-z]{1,6}$/, 'must be 1 to 6 letters')
      .transform((value) => value.toUpperCase()),
    optionType: z.enum(OPTION_TYPES),
    strike: strikeSchema,
    expiration: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
      .refine(isIsoDate, 'must be a real calendar date'),
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

export type BtoInput = z.input<typeof btoInputSchema>;
export type StcInput = z.input<typeof stcInputSchema>;
