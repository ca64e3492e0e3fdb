/**
 * What a subscriber reads about a copy decision (WEB.md, "Copy reasons in plain words"). Every
 * reason the API can send has its sentence (the compiler checks the list against the API's own
 * set); the reasons PRODUCT.md §3 adds with risk controls are written here already.
 */
import type { CopyOutcome, CopyReason } from '../../../src/domain/shared-types';

/** Reasons of PRODUCT.md §3 that the API does not send yet (copy fidelity and risk controls). */
export type ComingReason = 'connection_broken' | 'account_read_only' | 'lapsed' | 'failed';

export type ReasonContext = {
  /** The broker's own words, for a failed copy. */
  detail: string | null;
  maxDailyTrades?: number | undefined;
  maxPriceDriftPercent?: number | undefined;
};

const brokerRefused = ({ detail }: ReasonContext) =>
  `Your broker refused the order: “${detail ?? 'no reason given'}”.`;

const lapsed = () => 'You did not approve within 15 minutes, so the copy was not placed.';

const atTarget = () => "Nothing to sell: your position already matches the trader's after this sale.";

const WORDS = {
  below_minimum: () => 'Your scaling made this less than one contract, so nothing was bought.',
  daily_limit: ({ maxDailyTrades }) =>
    `You reached your limit of ${maxDailyTrades ?? 'your'} copied trades today (resets at midnight New York time).`,
  no_account: () => 'No brokerage account is selected for copying. Select one in Accounts.',
  duplicate: () => 'You already hold this contract, copied from another trader a few minutes ago.',
  nothing_to_close: atTarget,
  at_target: atTarget,
  source_closed: () =>
    'The trader had already closed this position, so buying now would leave you holding it alone.',
  connection_broken: () => 'Your brokerage connection needs to be reconnected. Reconnect in Accounts.',
  account_read_only: () =>
    'Your brokerage only allows reading through our connection; copies cannot be placed there.',
  price_drift: ({ maxPriceDriftPercent }) =>
    `The price had moved more than your limit of ${maxPriceDriftPercent ?? 'X'} % above the trader's fill; the order was not filled.`,
  daily_loss_limit: () =>
    'Copying of new positions is paused for today: your copied positions lost more than your daily limit.',
  not_approved_in_time: lapsed,
  lapsed,
  broker_rejected: brokerRefused,
  failed: brokerRefused,
} satisfies Record<CopyReason | ComingReason, (context: ReasonContext) => string>;

const OUTCOME_WORDS: Record<CopyOutcome, string> = {
  executed: 'Copied into your account.',
  skipped: 'Not copied.',
  pending_approval: 'Waiting for your approval.',
  approved: 'You approved it; it was sent to your broker.',
  dismissed: 'You dismissed it.',
  lapsed: 'You did not approve within 15 minutes, so the copy was not placed.',
  failed: 'Your broker refused the order.',
};

function hasWords(reason: string): reason is keyof typeof WORDS {
  return Object.hasOwn(WORDS, reason);
}

/** The sentence for a decision: its reason's when it has one, its outcome's otherwise. */
export function copyExplanation(
  decision: { outcome: CopyOutcome; reason: string | null },
  context: ReasonContext,
): string {
  if (decision.reason && hasWords(decision.reason)) return WORDS[decision.reason](context);
  if (decision.outcome === 'failed') return brokerRefused(context);
  return OUTCOME_WORDS[decision.outcome];
}

export const OUTCOME_LABEL: Record<CopyOutcome, string> = {
  executed: 'Copied',
  skipped: 'Skipped',
  pending_approval: 'Needs approval',
  approved: 'Approved',
  dismissed: 'Dismissed',
  lapsed: 'Lapsed',
  failed: 'Failed',
};
