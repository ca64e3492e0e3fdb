import type { TradingDeps } from '../trading/deps';

/** PRODUCT.md §3 windows, and how copy orders are sent. */
export type CopyDeps = TradingDeps & {
  copy: {
    /** A copy waiting for the subscriber's approval lapses after this long (15 minutes). */
    approvalWindowMs: number;
    /** A position copied from another trader this recently makes a copy a `duplicate` (5 minutes). */
    duplicateWindowMs: number;
    /** Copy orders sent to brokers at once, when a broker has no batch placement. */
    placementConcurrency: number;
    /** A claim on a copy order older than this, still unsent, belonged to a worker that died. */
    claimTimeoutMs: number;
  };
};

export const DEFAULT_COPY_SETTINGS: CopyDeps['copy'] = {
  approvalWindowMs: 15 * 60_000,
  duplicateWindowMs: 5 * 60_000,
  placementConcurrency: 16,
  claimTimeoutMs: 60_000,
};
