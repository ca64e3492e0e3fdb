/**
 * What a trader reads about a follower's copy: the same reasons the follower sees (WEB.md), told
 * about them, without their account's details.
 */
import type { CopyOutcome, CopyReason } from '../../../../src/domain/shared-types';
import type { ComingReason } from '../../lib/copy-reasons';

const lapsed = 'They did not approve within 15 minutes.';
const brokerRefused = 'Their broker refused the order.';
const atTarget = 'Nothing to sell: their position already matched yours.';

const REASON = {
  below_minimum: 'Their scaling made it less than one contract.',
  daily_limit: 'They had reached their daily limit of copied trades.',
  no_account: 'They have no brokerage account selected for copying.',
  duplicate: 'They already held this contract, copied from another trader.',
  nothing_to_close: atTarget,
  at_target: atTarget,
  source_closed: 'You had already closed the position when they approved.',
  connection_broken: 'Their brokerage connection needs reconnecting.',
  account_read_only: 'Their brokerage allows reading only; copies cannot be placed.',
  price_drift: 'The price had moved beyond their limit since your fill.',
  daily_loss_limit: 'Their copying is paused for today: daily loss limit reached.',
  not_approved_in_time: lapsed,
  lapsed,
  broker_rejected: brokerRefused,
  failed: brokerRefused,
} satisfies Record<CopyReason | ComingReason, string>;

const OUTCOME: Record<CopyOutcome, string> = {
  executed: 'Copied.',
  skipped: 'Not copied.',
  pending_approval: 'Waiting for their approval.',
  approved: 'They approved it.',
  dismissed: 'They dismissed it.',
  lapsed,
  failed: brokerRefused,
};

export function deskExplanation(copy: { outcome: CopyOutcome; reason: string | null }): string {
  if (copy.reason && Object.hasOwn(REASON, copy.reason)) return REASON[copy.reason as keyof typeof REASON];
  return OUTCOME[copy.outcome];
}

export function reasonWords(reason: string): string {
  return Object.hasOwn(REASON, reason) ? REASON[reason as keyof typeof REASON] : reason;
}
