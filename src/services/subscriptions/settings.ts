import { z } from 'zod';
import type { SubscriptionSettings } from '../../db/schema';
import { Dec, type Decimal, safeParseDecimal } from '../../domain/money';

/** PRODUCT.md §3: what a subscription copies with when the subscriber says nothing. */
export const DEFAULT_SUBSCRIPTION_SETTINGS: SubscriptionSettings = {
  autoExecute: false,
  maxPositionSize: 10,
  maxDailyTrades: 5,
  scalingFactor: 1,
  sizing: { mode: 'multiplier' },
  maxPriceDriftPercent: null,
  driftLimitSeconds: 30,
  maxDailyLoss: null,
  copyOpenPositions: false,
};

export const SCALING_FACTOR_RANGE = { min: '0.01', max: '10', maxDecimals: 2 } as const;
export const MAX_POSITION_SIZE_RANGE = { min: 1, max: 1000 } as const;
export const MAX_DAILY_TRADES_RANGE = { min: 1, max: 100 } as const;

const SCALING_FACTOR_MESSAGE = `must be a number from ${SCALING_FACTOR_RANGE.min} to ${SCALING_FACTOR_RANGE.max} with at most ${SCALING_FACTOR_RANGE.maxDecimals} decimals`;

function readScalingFactor(value: number | string): Decimal | undefined {
  // A JSON number is read through its shortest decimal text, so 0.1 means exactly 0.1.
  if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
  const parsed = safeParseDecimal(typeof value === 'number' ? new Dec(value) : value.trim(), {
    maxDecimals: SCALING_FACTOR_RANGE.maxDecimals,
  });
  if (!parsed.ok) return undefined;
  if (parsed.value.lt(SCALING_FACTOR_RANGE.min) || parsed.value.gt(SCALING_FACTOR_RANGE.max))
    return undefined;
  return parsed.value;
}

/** A number or a decimal string; stored as a JSON number (two decimals at most, so exact enough). */
const scalingFactor = z.union([z.number(), z.string()], SCALING_FACTOR_MESSAGE).transform((value, ctx) => {
  const parsed = readScalingFactor(value);
  if (!parsed) {
    ctx.addIssue({ code: 'custom', message: SCALING_FACTOR_MESSAGE, input: value });
    return z.NEVER;
  }
  return parsed.toNumber();
});

const wholeNumber = (range: { min: number; max: number }) =>
  z
    .number(`must be a whole number from ${range.min} to ${range.max}`)
    .int(`must be a whole number from ${range.min} to ${range.max}`)
    .min(range.min, `must be at least ${range.min}`)
    .max(range.max, `must be at most ${range.max}`);

const autoExecute = z.boolean('must be true or false');
const positiveAmount = (max: number) =>
  z
    .number(`must be a number above 0, at most ${max}, with at most 2 decimals`)
    .positive('must be above 0')
    .max(max, `must be at most ${max}`)
    .refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, {
      message: 'must have at most 2 decimals',
    });
const sizing = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({ mode: z.literal('multiplier') }),
    z.strictObject({ mode: z.literal('fixed'), contracts: wholeNumber(MAX_POSITION_SIZE_RANGE) }),
    z.strictObject({ mode: z.literal('premium'), dollars: positiveAmount(10_000_000) }),
    z.strictObject({ mode: z.literal('equity'), percent: positiveAmount(100) }),
  ],
  {
    error: () =>
      'must be {mode: multiplier}, {mode: fixed, contracts}, {mode: premium, dollars} or {mode: equity, percent}',
  },
);
const maxPriceDriftPercent = z
  .number('must be a number from 0.5 to 100, or null for off')
  .min(0.5, 'must be at least 0.5')
  .max(100, 'must be at most 100')
  .nullable();
const driftLimitSeconds = wholeNumber({ min: 1, max: 3600 });
const maxDailyLoss = positiveAmount(10_000_000).nullable();
const copyOpenPositions = z.boolean('must be true or false');
const maxPositionSize = wholeNumber(MAX_POSITION_SIZE_RANGE);
const maxDailyTrades = wholeNumber(MAX_DAILY_TRADES_RANGE);

/**
 * Settings of a new (or reactivated) subscription: every field optional, defaults filled in.
 * Unknown keys are refused, so a misspelt setting is not silently replaced by its default.
 */
export const subscriptionSettingsSchema = z.strictObject({
  autoExecute: autoExecute.default(DEFAULT_SUBSCRIPTION_SETTINGS.autoExecute),
  maxPositionSize: maxPositionSize.default(DEFAULT_SUBSCRIPTION_SETTINGS.maxPositionSize),
  maxDailyTrades: maxDailyTrades.default(DEFAULT_SUBSCRIPTION_SETTINGS.maxDailyTrades),
  scalingFactor: scalingFactor.default(DEFAULT_SUBSCRIPTION_SETTINGS.scalingFactor),
  sizing: sizing.default(DEFAULT_SUBSCRIPTION_SETTINGS.sizing),
  maxPriceDriftPercent: maxPriceDriftPercent.default(DEFAULT_SUBSCRIPTION_SETTINGS.maxPriceDriftPercent),
  driftLimitSeconds: driftLimitSeconds.default(DEFAULT_SUBSCRIPTION_SETTINGS.driftLimitSeconds),
  maxDailyLoss: maxDailyLoss.default(DEFAULT_SUBSCRIPTION_SETTINGS.maxDailyLoss),
  copyOpenPositions: copyOpenPositions.default(DEFAULT_SUBSCRIPTION_SETTINGS.copyOpenPositions),
});

/** A change to some settings of an existing subscription; the others keep their values. */
export const subscriptionSettingsPatchSchema = z.strictObject(
  {
    autoExecute: autoExecute.optional(),
    maxPositionSize: maxPositionSize.optional(),
    maxDailyTrades: maxDailyTrades.optional(),
    scalingFactor: scalingFactor.optional(),
    sizing: sizing.optional(),
    maxPriceDriftPercent: maxPriceDriftPercent.optional(),
    driftLimitSeconds: driftLimitSeconds.optional(),
    maxDailyLoss: maxDailyLoss.optional(),
  },
  { error: (issue) => (issue.input === undefined ? 'is required' : undefined) },
);

export type SubscriptionSettingsPatch = z.output<typeof subscriptionSettingsPatchSchema>;

/**
 * The settings as stored, in the JSONB shape the fan-out reads. Settings written by hand with
 * a key missing read as the default for that key.
 */
export function storedSettings(value: unknown): SubscriptionSettings {
  const stored = typeof value === 'object' && value !== null ? (value as Partial<SubscriptionSettings>) : {};
  return {
    autoExecute: stored.autoExecute ?? DEFAULT_SUBSCRIPTION_SETTINGS.autoExecute,
    maxPositionSize: stored.maxPositionSize ?? DEFAULT_SUBSCRIPTION_SETTINGS.maxPositionSize,
    maxDailyTrades: stored.maxDailyTrades ?? DEFAULT_SUBSCRIPTION_SETTINGS.maxDailyTrades,
    scalingFactor: Number(stored.scalingFactor ?? DEFAULT_SUBSCRIPTION_SETTINGS.scalingFactor),
    sizing: stored.sizing ?? DEFAULT_SUBSCRIPTION_SETTINGS.sizing,
    maxPriceDriftPercent: stored.maxPriceDriftPercent ?? DEFAULT_SUBSCRIPTION_SETTINGS.maxPriceDriftPercent,
    driftLimitSeconds: stored.driftLimitSeconds ?? DEFAULT_SUBSCRIPTION_SETTINGS.driftLimitSeconds,
    maxDailyLoss: stored.maxDailyLoss ?? DEFAULT_SUBSCRIPTION_SETTINGS.maxDailyLoss,
    copyOpenPositions: stored.copyOpenPositions ?? DEFAULT_SUBSCRIPTION_SETTINGS.copyOpenPositions,
  };
}
