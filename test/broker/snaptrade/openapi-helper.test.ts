/**
 * The spec checker must catch what it is there to catch, or the conformance tests prove nothing.
 */
import { describe, expect, it } from 'vitest';
import { snapTradeSpec } from './support';

const ACCOUNT = '917c8734-8470-4a3e-a18f-57c3f2ee6631';
const USER = { userId: 'u', userSecret: 's', clientId: 'C', timestamp: '1700000000' };

function record(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    brokerage_order_id: 'B-1',
    status: 'EXECUTED',
    option_symbol: {
      id: '2bcd7cc3-e922-4976-bce1-9858296801c3',
      ticker: 'AAPL  240119C00150000',
      option_type: 'CALL',
      strike_price: 150,
      expiration_date: '2024-01-19',
      underlying_symbol: { symbol: 'AAPL' },
    },
    universal_symbol: null,
    action: 'BUY_TO_OPEN',
    total_quantity: '1',
    filled_quantity: '1',
    execution_price: '2.5',
    limit_price: null,
    time_placed: '2024-01-10T15:00:00.000Z',
    ...overrides,
  };
}

describe('OpenAPI checker', () => {
  const spec = snapTradeSpec();

  it('finds operations by method and concrete path, literal segments first', () => {
    expect(spec.findOperation('POST', `/accounts/${ACCOUNT}/orders/details`)?.operationId).toBe(
      'AccountInformation_getUserAccountOrderDetail',
    );
    expect(spec.findOperation('GET', `/accounts/${ACCOUNT}/orders`)).toEqual({
      operationId: 'AccountInformation_getUserAccountOrders',
      pathParams: { accountId: ACCOUNT },
    });
    expect(spec.findOperation('PATCH', '/accounts')).toBeNull();
  });

  it('checks path and query parameters, converting text by the schema', () => {
    const orders = (path: string, query: Record<string, string>) =>
      spec.validateRequest({ method: 'GET', path, query }).valid;
    expect(orders(`/accounts/${ACCOUNT}/orders`, { ...USER, state: 'all', days: '7' })).toBe(true);
    expect(orders(`/accounts/${ACCOUNT}/orders`, { ...USER, days: '0' })).toBe(false);
    expect(orders(`/accounts/${ACCOUNT}/orders`, { ...USER, days: 'week' })).toBe(false);
    expect(orders(`/accounts/${ACCOUNT}/orders`, { ...USER, state: 'closed' })).toBe(false);
    expect(orders(`/accounts/${ACCOUNT}/orders`, { userId: 'u', clientId: 'C' })).toBe(false);
    expect(orders(`/accounts/${ACCOUNT}/orders`, { ...USER, surprise: '1' })).toBe(false);
    expect(orders('/accounts/not-a-uuid/orders', USER)).toBe(false);
  });

  it('checks request bodies', () => {
    const place = (body: unknown) =>
      spec.validateRequest({
        method: 'POST',
        path: `/accounts/${ACCOUNT}/trading/options`,
        query: USER,
        body,
      });
    const leg = {
      instrument: { symbol: 'AAPL  240119C00150000', instrument_type: 'OPTION' },
      action: 'BUY_TO_OPEN',
      units: 1,
    };
    expect(place({ order_type: 'MARKET', time_in_force: 'Day', legs: [leg] }).valid).toBe(true);
    expect(place({ order_type: 'LIMIT', time_in_force: 'Day', limit_price: '2.5', legs: [leg] }).valid).toBe(
      true,
    );
    expect(place({ order_type: 'Market', time_in_force: 'Day', legs: [leg] }).valid).toBe(false);
    expect(place({ order_type: 'MARKET', time_in_force: 'Day', legs: [{ ...leg, units: 1.5 }] }).valid).toBe(
      false,
    );
    expect(
      place({ order_type: 'MARKET', time_in_force: 'Day', legs: [{ ...leg, action: 'HOLD' }] }).valid,
    ).toBe(false);
    expect(place({ order_type: 'MARKET', legs: [leg] }).valid).toBe(false);
    expect(place(undefined).valid).toBe(false);
    expect(
      spec.validateRequest({ method: 'GET', path: '/accounts', query: USER, body: { unexpected: true } })
        .valid,
    ).toBe(false);
  });

  it('checks response bodies, OpenAPI nullable included', () => {
    const detail = (body: unknown, status = 200) =>
      spec.validateResponse({ method: 'POST', path: `/accounts/${ACCOUNT}/orders/details`, status, body });
    expect(detail(record()).valid).toBe(true);
    expect(detail(record({ option_symbol: null, execution_price: null })).valid).toBe(true);
    expect(detail(record({ status: 'DONE' })).valid).toBe(false);
    expect(detail(record({ option_symbol: 5 })).valid).toBe(false);
    expect(detail(record({ execution_price: 2.5 })).valid).toBe(false);
    expect(detail(record({ time_placed: 'yesterday' })).valid).toBe(false);
    expect(detail({}, 418)).toMatchObject({
      valid: false,
      errors: [expect.stringContaining('not declared')],
    });
  });

  it('checks oneOf unions and required fields of components', () => {
    expect(spec.validateComponent('Account', {}).valid).toBe(false);
    const position = (instrument: unknown) =>
      spec.validateResponse({
        method: 'GET',
        path: `/accounts/${ACCOUNT}/positions/all`,
        status: 200,
        body: { results: [{ instrument, units: '1' }], data_freshness: { as_of: '2024-01-10T15:00:00Z' } },
      }).valid;
    const underlying = { kind: 'stock', id: ACCOUNT, symbol: 'AAPL', raw_symbol: 'AAPL' };
    const option = {
      kind: 'option',
      id: ACCOUNT,
      symbol: 'AAPL  240119C00150000',
      option_type: 'CALL',
      strike_price: '150',
      expiration_date: '2024-01-19',
      multiplier: '100',
      underlying,
    };
    expect(position(option)).toBe(true);
    expect(position({ ...option, kind: 'warrant' })).toBe(false);
    expect(position({ ...option, underlying: undefined })).toBe(false);
    expect(position({ ...option, strike_price: 'one fifty' })).toBe(false);
  });
});
