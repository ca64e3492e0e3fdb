/**
 * The brokerage's state as `spec/snaptrade-openapi.yaml` shapes it in responses: order records,
 * accounts, connections (brokerage authorizations) and positions. Symbols, brokerages and
 * currencies get ids that stay the same for the simulator's life.
 */

import { CONTRACT_MULTIPLIER } from '../../../domain/money';
import type { OptionContract } from '../../../domain/occ';
import { parseOccSymbol } from '../../../domain/occ';
import {
  averageFillPrice,
  isOpen,
  ORDER_TYPE_OF,
  type SimAccount,
  type SimAuthorization,
  type SimOrder,
  type SimPosition,
  type SimulatedBrokerage,
} from './brokerage';
import type { SimulatorIds } from './ids';

export const USD = { id: '57f81c39-3a4b-4be8-8e2b-9b4c0e1a4a11', code: 'USD', name: 'US Dollar' };

export type SpecRecords = ReturnType<typeof specRecords>;

export function specRecords({
  brokerage,
  ids,
  now,
}: {
  brokerage: SimulatedBrokerage;
  ids: SimulatorIds;
  now: () => Date;
}) {
  const { idFor } = ids;

  function underlyingSymbol(contract: OptionContract) {
    return {
      id: idFor(`underlying:${contract.underlying}`),
      symbol: contract.underlying,
      raw_symbol: contract.underlying,
      description: null,
      currency: USD,
      figi_code: null,
      figi_instrument: null,
    };
  }

  function order(order: SimOrder) {
    const { contract } = order;
    return {
      brokerage_order_id: order.id,
      brokerage_group_order_id: null,
      order_role: null,
      status: order.status,
      universal_symbol: null,
      option_symbol: {
        id: idFor(`option:${order.symbol}`),
        ticker: order.symbol,
        option_type: contract.optionType === 'call' ? 'CALL' : 'PUT',
        strike_price: Number(contract.strike),
        expiration_date: contract.expiration,
        is_mini_option: false,
        underlying_symbol: underlyingSymbol(contract),
      },
      quote_universal_symbol: null,
      quote_currency: null,
      action: order.action,
      total_quantity: String(order.quantity),
      open_quantity: String(
        isOpen(order) ? order.quantity - order.filledQuantity - order.canceledQuantity : 0,
      ),
      canceled_quantity: String(order.canceledQuantity),
      filled_quantity: String(order.filledQuantity),
      execution_price: averageFillPrice(order),
      limit_price: order.limitPrice?.toFixed() ?? null,
      stop_price: order.stopPrice?.toFixed() ?? null,
      trailing_stop: null,
      order_type: ORDER_TYPE_OF[order.orderType],
      time_in_force: order.timeInForce,
      time_placed: order.placedAt.toISOString(),
      time_updated: order.updatedAt.toISOString(),
      time_executed: order.executedAt?.toISOString() ?? null,
      expiry_date: null,
      child_brokerage_order_ids: null,
    };
  }

  function account(account: SimAccount) {
    const authorization = brokerage.authorizations.get(account.authorizationId);
    const timestamp = now();
    return {
      id: account.id,
      brokerage_authorization: account.authorizationId,
      name: account.name,
      number: account.number,
      institution_account_id: null,
      institution_name: authorization?.brokerName ?? 'Simulated Brokerage',
      created_date: account.createdAt.toISOString(),
      funding_date: null,
      opening_date: null,
      sync_status: {
        transactions: {
          initial_sync_completed: true,
          last_successful_sync: timestamp.toISOString().slice(0, 10),
          first_transaction_date: account.createdAt.toISOString().slice(0, 10),
        },
        holdings: {
          initial_sync_completed: true,
          last_successful_sync: timestamp.toISOString(),
          holdings_unavailable: false,
        },
      },
      balance: {
        total: { amount: brokerage.marketValue(account).toDecimalPlaces(2).toNumber(), currency: 'USD' },
      },
      status: 'open',
      raw_type: account.rawType,
      account_category: 'INVESTMENT',
      is_paper: account.isPaper,
    };
  }

  function authorization(authorization: SimAuthorization) {
    return {
      id: authorization.id,
      created_date: authorization.createdAt.toISOString(),
      brokerage: {
        id: authorization.brokerageId,
        slug: authorization.brokerSlug,
        name: authorization.brokerName,
        display_name: authorization.brokerName,
        description: `${authorization.brokerName} (simulated by Alertsify)`,
        enabled: true,
        maintenance_mode: false,
        is_degraded: false,
        allows_trading: authorization.type === 'trade',
        brokerage_type: { id: idFor('brokerage-type:traditional'), name: 'Traditional Brokerage' },
      },
      name: `${authorization.brokerName} connection`,
      type: authorization.type,
      disabled: authorization.disabledAt !== null,
      disabled_date: authorization.disabledAt?.toISOString() ?? null,
      updated_date: authorization.createdAt.toISOString(),
      data_freshness_mode: 'realtime',
    };
  }

  function position(symbol: string, position: SimPosition) {
    const contract = parseOccSymbol(symbol);
    const type = contract.optionType === 'call' ? 'CALL' : 'PUT';
    return {
      instrument: {
        kind: 'option',
        id: idFor(`option:${symbol}`),
        symbol,
        option_type: type,
        strike_price: contract.strike,
        expiration_date: contract.expiration,
        multiplier: String(CONTRACT_MULTIPLIER),
        description: `${contract.underlying} ${contract.expiration} ${contract.strike} ${type}`,
        underlying: {
          kind: 'stock',
          id: idFor(`underlying:${contract.underlying}`),
          symbol: contract.underlying,
          raw_symbol: contract.underlying,
          description: null,
          currency: 'USD',
          exchange: null,
          figi_instrument: null,
        },
      },
      units: String(position.units),
      price: brokerage.quoteFor(symbol)?.last.toFixed() ?? null,
      cost_basis: position.costBasis.toDecimalPlaces(4).toFixed(),
      currency: 'USD',
    };
  }

  return { order, account, authorization, position };
}
