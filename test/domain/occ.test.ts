import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { DomainValidationError } from '../../src/domain/errors';
import {
  buildOccSymbol,
  normalizeContract,
  normalizeStrike,
  normalizeUnderlying,
  type OptionContractInput,
  parseOccSymbol,
  safeBuildOccSymbol,
  safeParseOccSymbol,
} from '../../src/domain/occ';

const aaplCall: OptionContractInput = {
  underlying: 'AAPL',
  optionType: 'call',
  strike: '150',
  expiration: '2024-01-19',
};

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainValidationError) return error.field;
    throw error;
  }
  return undefined;
}

describe('buildOccSymbol()', () => {
  it('builds the documented example', () => {
    expect(buildOccSymbol(aaplCall)).toBe('AAPL  240119C00150000');
  });

  it('always produces 21 characters, padding the root to 6', () => {
    expect(buildOccSymbol({ ...aaplCall, underlying: 'F' })).toBe('F     240119C00150000');
    expect(buildOccSymbol({ ...aaplCall, underlying: 'GOOGLE' })).toBe('GOOGLE240119C00150000');
    for (const underlying of ['F', 'GE', 'SPY', 'AAPL', 'GOOGL', 'GOOGLE']) {
      expect(buildOccSymbol({ ...aaplCall, underlying })).toHaveLength(21);
    }
  });

  it('writes puts with P', () => {
    expect(buildOccSymbol({ ...aaplCall, optionType: 'put', strike: '145.5' })).toBe('AAPL  240119P00145500');
  });

  it('uppercases the underlying', () => {
    expect(buildOccSymbol({ ...aaplCall, underlying: 'spy', expiration: '2026-12-18' })).toBe(
      'SPY   261218C00150000',
    );
  });

  it('accepts a Decimal strike and trailing zeros', () => {
    expect(buildOccSymbol({ ...aaplCall, strike: new Decimal('2.5') })).toBe('AAPL  240119C00002500');
    expect(buildOccSymbol({ ...aaplCall, strike: '150.000' })).toBe('AAPL  240119C00150000');
  });

  it.each([
    ['0.5', '00000500'],
    ['0.001', '00000001'],
    ['1', '00001000'],
    ['2.5', '00002500'],
    ['12.345', '00012345'],
    ['150', '00150000'],
    ['1234.5', '01234500'],
    ['99999.999', '99999999'],
  ])('encodes strike %s as %s', (strike, digits) => {
    expect(buildOccSymbol({ ...aaplCall, strike }).slice(13)).toBe(digits);
  });

  it.each<[string, Partial<OptionContractInput>]>([
    ['underlying', { underlying: '' }],
    ['underlying', { underlying: 'TOOLONG' }],
    ['underlying', { underlying: 'BRK.B' }],
    ['underlying', { underlying: 'AAPL1' }],
    ['underlying', { underlying: ' AAPL' }],
    ['underlying', { underlying: 'ÄPPL' }],
    ['strike', { strike: '0' }],
    ['strike', { strike: '-5' }],
    ['strike', { strike: '1.2345' }],
    ['strike', { strike: '100000' }],
    ['strike', { strike: '150000' }],
    ['strike', { strike: 'abc' }],
    ['strike', { strike: '1e2' }],
    ['strike', { strike: new Decimal(Number.NaN) }],
    ['expiration', { expiration: '2024-02-30' }],
    ['expiration', { expiration: '2024-1-19' }],
    ['expiration', { expiration: '1999-12-17' }],
    ['expiration', { expiration: '2100-01-15' }],
    ['optionType', { optionType: 'straddle' as 'call' }],
  ])('refuses a bad %s (%j)', (field, change) => {
    expect(fieldOf(() => buildOccSymbol({ ...aaplCall, ...change }))).toBe(field);
    const result = safeBuildOccSymbol({ ...aaplCall, ...change });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.field).toBe(field);
  });

  it('has a Result variant for the happy path', () => {
    expect(safeBuildOccSymbol(aaplCall)).toEqual({ ok: true, value: 'AAPL  240119C00150000' });
  });
});

describe('parseOccSymbol()', () => {
  it('parses the documented example', () => {
    expect(parseOccSymbol('AAPL  240119C00150000')).toEqual({
      underlying: 'AAPL',
      optionType: 'call',
      strike: '150',
      expiration: '2024-01-19',
    });
  });

  it('parses puts and fractional strikes', () => {
    expect(parseOccSymbol('SPY   261218P00452500')).toEqual({
      underlying: 'SPY',
      optionType: 'put',
      strike: '452.5',
      expiration: '2026-12-18',
    });
  });

  it('accepts the compact form without padding', () => {
    expect(parseOccSymbol('AAPL240119C00150000')).toEqual(parseOccSymbol('AAPL  240119C00150000'));
    expect(parseOccSymbol('F240119P00012500')).toMatchObject({ underlying: 'F', strike: '12.5' });
    expect(parseOccSymbol('GOOGLE240119C00150000')).toMatchObject({ underlying: 'GOOGLE' });
  });

  it.each([
    'AAPL 240119C00150000', // partial padding
    'AAPL   240119C00150000', // too much padding
    'AAPL  240119X00150000', // neither C nor P
    'AAPL  240119C0015000', // 7 strike digits
    'AAPL  240119C001500000', // 9 strike digits
    'AAPL  24019C00150000', // short date
    'aapl  240119C00150000', // lower case
    ' AAPL 240119C00150000',
    'AAPL  240119C00150000 ',
    'TOOLONG240119C00150000',
    '      240119C00150000',
    '',
  ])('refuses the malformed symbol %j', (symbol) => {
    expect(fieldOf(() => parseOccSymbol(symbol))).toBe('symbol');
  });

  it('refuses dates that do not exist and a zero strike, naming the field', () => {
    expect(fieldOf(() => parseOccSymbol('AAPL  240230C00150000'))).toBe('expiration');
    expect(fieldOf(() => parseOccSymbol('AAPL  241301C00150000'))).toBe('expiration');
    expect(fieldOf(() => parseOccSymbol('AAPL  240119C00000000'))).toBe('strike');
  });

  it('has a Result variant', () => {
    expect(safeParseOccSymbol('AAPL  240119C00150000')).toMatchObject({ ok: true, value: { strike: '150' } });
    const failed = safeParseOccSymbol('nonsense');
    expect(failed.ok).toBe(false);
    if (!failed.ok) expect(failed.error.field).toBe('symbol');
  });
});

describe('round trip', () => {
  const strikes = ['0.5', '0.001', '1', '2.5', '7.125', '150', '1234.5', '99999.999'];
  const underlyings = ['F', 'SPY', 'AAPL', 'GOOGLE'];
  const expirations = ['2024-01-19', '2024-02-29', '2026-12-31', '2000-01-01', '2099-12-31'];

  it('parse(build(x)) returns the normalised contract for every combination', () => {
    for (const strike of strikes) {
      for (const underlying of underlyings) {
        for (const expiration of expirations) {
          for (const optionType of ['call', 'put'] as const) {
            const contract = { underlying, optionType, strike, expiration };
            const symbol = buildOccSymbol(contract);
            expect(parseOccSymbol(symbol)).toEqual(contract);
            // The compact form names the same contract.
            expect(parseOccSymbol(symbol.replaceAll(' ', ''))).toEqual(contract);
            expect(buildOccSymbol(parseOccSymbol(symbol))).toBe(symbol);
          }
        }
      }
    }
  });

  it('normalises strikes the same way either direction', () => {
    expect(normalizeStrike('150.000')).toBe('150');
    expect(normalizeStrike('0.50')).toBe('0.5');
    expect(normalizeStrike('1234.50')).toBe('1234.5');
    expect(parseOccSymbol(buildOccSymbol({ ...aaplCall, strike: '0.50' })).strike).toBe('0.5');
  });
});

describe('normalisers', () => {
  it('normalise a whole contract', () => {
    expect(
      normalizeContract({
        underlying: 'tsla',
        optionType: 'put',
        strike: '250.50',
        expiration: '2026-06-18',
      }),
    ).toEqual({
      underlying: 'TSLA',
      optionType: 'put',
      strike: '250.5',
      expiration: '2026-06-18',
    });
    expect(normalizeUnderlying('qqq')).toBe('QQQ');
  });
});
