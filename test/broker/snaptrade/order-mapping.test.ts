import { describe, expect, it } from 'vitest';
import {
  mapOrderRecord,
  mapOrderType,
  mapSide,
  mapSnapTradeStatus,
} from '../../../src/broker/snaptrade/order-mapping';

describe('SnapTrade order mapping', () => {
  it('calls a still-working order with fills partial, and unknown states pending', () => {
    expect(mapSnapTradeStatus('ACCEPTED', 2)).toEqual({ status: 'partial' });
    expect(mapSnapTradeStatus('CANCEL_PENDING', 1)).toEqual({ status: 'partial' });
    expect(mapSnapTradeStatus('PARTIALLY_EXECUTED')).toEqual({ status: 'partial' });
    expect(mapSnapTradeStatus('SOMETHING_NEW')).toEqual({ status: 'pending' });
    expect(mapSnapTradeStatus(null)).toEqual({ status: 'pending' });
    expect(mapSnapTradeStatus('canceled', 3)).toEqual({ status: 'cancelled' });
  });

  it('reads sides and order types in the spellings brokers use', () => {
    expect(['BUY', 'BUY_OPEN', 'BUY_TO_CLOSE', 'SELL_TO_CLOSE', 'SELL_SHORT', 'HOLD'].map(mapSide)).toEqual([
      'buy',
      'buy',
      'buy',
      'sell',
      'sell',
      null,
    ]);
    expect(
      ['Market', 'LIMIT', 'Stop', 'STOP_LOSS_MARKET', 'StopLimit', 'STOP_LOSS_LIMIT', 'TrailingStop'].map(
        mapOrderType,
      ),
    ).toEqual(['Market', 'Limit', 'Stop', 'Stop', 'StopLimit', 'StopLimit', null]);
  });

  it('maps a record, with fallbacks for what it leaves out', () => {
    const now = new Date('2026-03-02T15:00:00Z');
    expect(mapOrderRecord({ status: 'EXECUTED' }, { now })).toBeNull();
    expect(
      mapOrderRecord(
        {
          brokerage_order_id: 'B-1',
          status: 'PARTIAL',
          filled_quantity: '2.0',
          execution_price: 2.5,
          time_placed: 'junk',
        },
        { now, fallback: { symbol: 'AAPL  240119C00150000', side: 'sell', orderType: 'Limit', quantity: 5 } },
      ),
    ).toEqual({
      brokerOrderId: 'B-1',
      symbol: 'AAPL  240119C00150000',
      side: 'sell',
      orderType: 'Limit',
      status: 'partial',
      quantity: 5,
      filledQuantity: 2,
      averageFillPrice: '2.5',
      updatedAt: now,
    });
  });
});
