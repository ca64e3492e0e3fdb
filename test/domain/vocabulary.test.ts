/**
 * Each closed set is written once in src/domain; the migrated database's CHECKs and the OpenAPI
 * document's enums must say exactly the same, in the same order.
 */
import { describe, expect, it } from 'vitest';
import { OPTION_TYPES } from '../../src/domain/occ';
import {
  FINAL_ORDER_STATUSES,
  isTerminalStatus,
  ORDER_STATUSES,
  WORKING_ORDER_STATUSES,
} from '../../src/domain/order-status';
import {
  ACCOUNT_PROVIDERS,
  COPY_OUTCOMES,
  COPY_REASONS,
  hasLimitPrice,
  hasStopPrice,
  ORDER_ACTIONS,
  ORDER_EVENT_TYPES,
  ORDER_TYPES,
  POSITION_STATUSES,
  SUBSCRIPTION_STATUSES,
  TRADE_SIDES,
  TRADE_SOURCES,
  tradeSideOf,
} from '../../src/domain/vocabulary';
import { buildTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';

const t = useTestDatabase();

/** The values a migrated `CHECK (column IN (...))` allows, in its order. */
async function checkValues(constraint: string): Promise<string[]> {
  const { rows } = await t.sql<{ def: string }>(
    'SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = $1',
    [constraint],
  );
  const def = rows[0]?.def;
  if (!def) throw new Error(`no constraint ${constraint}`);
  return [...def.matchAll(/'([^']*)'::text/g)].map((match) => match[1] ?? '');
}

describe('database CHECKs', () => {
  const cases: [string, readonly string[]][] = [
    ['parent_trades_option_type_check', OPTION_TYPES],
    ['parent_trades_status_check', POSITION_STATUSES],
    ['trades_action_check', ORDER_ACTIONS],
    ['trades_order_type_check', ORDER_TYPES],
    ['trades_status_check', ORDER_STATUSES],
    ['trades_source_check', TRADE_SOURCES],
    ['order_events_type_check', ORDER_EVENT_TYPES],
    ['accounts_provider_check', ACCOUNT_PROVIDERS],
    ['subscriptions_status_check', SUBSCRIPTION_STATUSES],
    ['subscription_trades_action_check', ORDER_ACTIONS],
    ['subscription_trades_outcome_check', COPY_OUTCOMES],
  ];
  it.each(cases)('%s allows exactly its domain set', async (constraint, values) => {
    expect(await checkValues(constraint)).toEqual([...values]);
  });
});

describe('OpenAPI enums', () => {
  type Schema = { properties: Record<string, { enum?: unknown[] }> };

  it('come from the domain sets', async () => {
    const { app } = buildTestApp(t);
    const doc = (await (await app.request('/api/openapi.json')).json()) as {
      components: { schemas: Record<string, Schema> };
    };
    const enumOf = (schema: string, property: string) =>
      doc.components.schemas[schema]?.properties[property]?.enum;
    expect(enumOf('Order', 'status')).toEqual([...ORDER_STATUSES]);
    expect(enumOf('Order', 'orderType')).toEqual([...ORDER_TYPES]);
    expect(enumOf('Order', 'side')).toEqual([...TRADE_SIDES]);
    expect(enumOf('Order', 'source')).toEqual([...TRADE_SOURCES]);
    expect(enumOf('Order', 'optionType')).toEqual([...OPTION_TYPES]);
    expect(enumOf('Position', 'status')).toEqual([...POSITION_STATUSES]);
    expect(enumOf('Account', 'provider')).toEqual([...ACCOUNT_PROVIDERS]);
    expect(enumOf('CopyDecision', 'outcome')).toEqual([...COPY_OUTCOMES]);
    expect(enumOf('CopyDecision', 'reason')).toEqual([...COPY_REASONS, null]);
  });
});

describe('rules on the sets', () => {
  it('splits order statuses into working and final by the transition table', () => {
    expect(WORKING_ORDER_STATUSES).toEqual(['pending', 'partial']);
    expect(FINAL_ORDER_STATUSES).toEqual(['filled', 'cancelled', 'rejected']);
    expect(FINAL_ORDER_STATUSES.every(isTerminalStatus)).toBe(true);
  });

  it('names a buy BTO and a sell STC', () => {
    expect(ORDER_ACTIONS.map(tradeSideOf)).toEqual(['BTO', 'STC']);
  });

  it('knows which order types carry a limit and a stop price', () => {
    expect(ORDER_TYPES.filter(hasLimitPrice)).toEqual(['Limit', 'StopLimit']);
    expect(ORDER_TYPES.filter(hasStopPrice)).toEqual(['Stop', 'StopLimit']);
  });
});

describe('shared types for the web app', () => {
  it('export no values, so nothing of the server reaches the browser', async () => {
    expect(Object.keys(await import('../../src/domain/shared-types'))).toEqual([]);
  });
});
