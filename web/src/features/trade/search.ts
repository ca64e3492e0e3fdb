import type { OptionType } from '../../../../src/domain/shared-types';

/** The Trade page's address says what is shown: `/trade?underlying=AAPL&expiration=…&type=call&strike=150.00`. */
export type TradeSearch = {
  underlying?: string;
  expiration?: string;
  type?: OptionType;
  strike?: string;
};

/** The search with its defaults filled in: what the page shows. */
export type TradeView = Required<Pick<TradeSearch, 'underlying' | 'type'>> &
  Omit<TradeSearch, 'underlying' | 'type'>;

export const DEFAULT_UNDERLYING = 'AAPL';

/** Optional keys stay out of the address when they are the default, so a plain `/trade` link works. */
export function validateTradeSearch(search: Record<string, unknown>): TradeSearch {
  const text = (value: unknown) =>
    typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
  const underlying = text(search.underlying).toUpperCase();
  const expiration = text(search.expiration);
  const strike = text(search.strike);
  return {
    ...(/^[A-Z]{1,6}$/.test(underlying) ? { underlying } : {}),
    ...(/^\d{4}-\d{2}-\d{2}$/.test(expiration) ? { expiration } : {}),
    ...(search.type === 'put' || search.type === 'call' ? { type: search.type } : {}),
    ...(/^\d+(\.\d+)?$/.test(strike) ? { strike: Number(strike).toFixed(2) } : {}),
  };
}

export function tradeView(search: TradeSearch): TradeView {
  return { ...search, underlying: search.underlying ?? DEFAULT_UNDERLYING, type: search.type ?? 'call' };
}
