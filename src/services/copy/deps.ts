import type { TradingDeps } from '../trading/deps';

/** The copy services need what trading needs, with the copy settings (`TradingDeps.copy`). */
export type CopyDeps = TradingDeps;
