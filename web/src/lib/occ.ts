/**
 * Reading an OCC option symbol (`AAPL  261218C00150000`) back into its parts, for messages
 * that carry only the symbol (live events). The server builds symbols; the page only reads them.
 */
const SYMBOL = /^([A-Z]{1,6}) *(\d{2})(\d{2})(\d{2})([CP])(\d{8})$/;

export type ContractParts = {
  underlying: string;
  expiration: string;
  optionType: 'call' | 'put';
  strike: string;
};

export function readOccSymbol(symbol: string): ContractParts | null {
  const match = SYMBOL.exec(symbol);
  if (!match) return null;
  const [, underlying = '', year = '', month = '', day = '', kind, thousandths = '0'] = match;
  const strike = (Number(thousandths) / 1000).toFixed(2);
  return {
    underlying,
    expiration: `20${year}-${month}-${day}`,
    optionType: kind === 'C' ? 'call' : 'put',
    strike,
  };
}
