/**
 * Shared set-up for the SnapTrade tests: the spec, a simulator with the real SDK pointed at it,
 * and a check that every exchange the simulator saw honours the spec.
 */
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { BrokerAccountRef } from '../../../src/broker/port';
import { SnapTradeBroker, type SnapTradeBrokerOptions } from '../../../src/broker/snaptrade/adapter';
import { SnapTradeConnections } from '../../../src/broker/snaptrade/connections';
import {
  createSnapTradeSimulator,
  type SimulatorExchange,
  type SnapTradeSimulator,
  type SnapTradeSimulatorOptions,
} from '../../../src/broker/snaptrade/simulator';
import { loadOpenApiSpec, type OpenApiSpec } from '../../helpers/openapi';

/** The contract (PRODUCT.md §2), a verbatim copy in `spec/` (see spec/README.md). */
export const SPEC_PATH =
  process.env.SNAPTRADE_OPENAPI_SPEC ??
  fileURLToPath(new URL('../../../spec/snaptrade-openapi.yaml', import.meta.url));

let cachedSpec: OpenApiSpec | undefined;
export function snapTradeSpec(): OpenApiSpec {
  cachedSpec ??= loadOpenApiSpec(SPEC_PATH);
  return cachedSpec;
}

export const OCC_CALL = 'AAPL  240119C00150000';
export const OCC_PUT = 'SPY   240621P00500000';

export type Harness = {
  sim: SnapTradeSimulator;
  broker: SnapTradeBroker;
  connections: SnapTradeConnections;
  /** Every backoff the clients asked for, in ms (the sleep is injected, so nothing waits). */
  sleeps: number[];
};

export async function startHarness(
  simOptions: SnapTradeSimulatorOptions = {},
  clientOptions: Partial<SnapTradeBrokerOptions> = {},
): Promise<Harness> {
  const sim = await createSnapTradeSimulator({ seed: 42, record: true, ...simOptions });
  const sleeps: number[] = [];
  const options: SnapTradeBrokerOptions = {
    clientId: sim.clientId,
    consumerKey: sim.consumerKey,
    basePath: sim.url,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0,
    ...clientOptions,
  };
  return {
    sim,
    broker: new SnapTradeBroker(options),
    connections: new SnapTradeConnections(options),
    sleeps,
  };
}

/** Registers a user and connects one account with `cash`; returns the port's account reference. */
export async function connectedAccount(
  harness: Harness,
  userId: string,
  cash = '10000.00',
): Promise<{ ref: BrokerAccountRef; userSecret: string; accountId: string }> {
  const { userSecret } = await harness.connections.registerUser(userId);
  const { accountId } = harness.sim.controls.connectAccount({ userId, cash });
  return {
    accountId,
    userSecret,
    ref: {
      accountId: `ours-${accountId.slice(0, 8)}`,
      provider: 'snaptrade',
      brokerAccountId: accountId,
      snaptrade: { userId, userSecret },
    },
  };
}

/** Spec components for error statuses an operation does not list (every call may get them). */
const ERROR_COMPONENTS: Record<number, string> = {
  400: '400FailedRequestResponse',
  401: '401FailedRequestResponse',
  403: '403FailedRequestResponse',
  404: '404FailedRequestResponse',
  429: '429TooManyRequestsResponse',
  500: '500UnexpectedExceptionResponse',
  502: '500UnexpectedExceptionResponse',
  503: '503BrokerageRequestResponse',
  504: '500UnexpectedExceptionResponse',
};

/** Every API request and response of `exchanges` honours the spec; returns the operations seen. */
export function expectExchangesMatchSpec(exchanges: SimulatorExchange[]): Set<string> {
  const spec = snapTradeSpec();
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const exchange of exchanges) {
    if (exchange.path.startsWith('/portal')) continue; // the stand-in portal page is not API
    const label = `${exchange.method} ${exchange.path} → ${exchange.status}`;
    const request = spec.validateRequest({
      method: exchange.method,
      path: exchange.path,
      query: new URLSearchParams(exchange.rawQuery),
      body: exchange.requestBody,
    });
    if (!request.valid) problems.push(`${label} request: ${request.errors.join('; ')}`);
    if (request.operationId) seen.add(request.operationId);
    if (exchange.dropped) continue; // no response was sent

    const response = spec.validateResponse({
      method: exchange.method,
      path: exchange.path,
      status: exchange.status,
      body: exchange.responseBody,
    });
    if (!response.valid) {
      const component = ERROR_COMPONENTS[exchange.status];
      const undeclared = response.errors.some((error) => error.includes('is not declared'));
      const fallback =
        undeclared && component ? spec.validateComponent(component, exchange.responseBody) : null;
      if (!fallback?.valid) {
        problems.push(`${label} response: ${(fallback ?? response).errors.join('; ')}`);
      }
    }
  }
  expect(problems).toEqual([]);
  return seen;
}
