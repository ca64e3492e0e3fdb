/**
 * Webhooks as SnapTrade sends them: a JSON payload signed with the consumer key
 * (`signSnapTradeWebhook`). When given a `webhookUrl`, a TRADE_DETECTION (with the order
 * record in `details.orders`) goes there whenever an order changes, and CONNECTION_BROKEN /
 * CONNECTION_FIXED when a connection breaks or is repaired; controls send any other on demand.
 */
import { signSnapTradeWebhook } from '../webhook';
import type { SimAuthorization, SimOrder, SimulatedBrokerage } from './brokerage';
import type { SimulatorIds } from './ids';
import type { SimulatorControls } from './types';

export type Webhooks = {
  /** Sends a signed webhook (TRADE_DETECTION by default); resolves with the receiver's answer. */
  send: SimulatorControls['emitWebhook'];
  /** Tells `webhookUrl`, if any, that the order changed; failures go to `onWebhookError`. */
  orderChanged(order: SimOrder): void;
  /** Tells `webhookUrl`, if any, that a connection broke or was fixed. */
  connectionChanged(authorization: SimAuthorization): void;
  /** Resolves once every webhook sent so far has been answered or failed. */
  settled(): Promise<void>;
};

export function createWebhooks({
  brokerage,
  ids,
  clientId,
  consumerKey,
  now,
  webhookUrl,
  onWebhookError,
  orderRecord,
}: {
  brokerage: SimulatedBrokerage;
  /** The spec-shaped order record, for TRADE_DETECTION's `details.orders`. */
  orderRecord: (order: SimOrder) => unknown;
  ids: SimulatorIds;
  clientId: string;
  consumerKey: string;
  now: () => Date;
  webhookUrl: string | undefined;
  onWebhookError: ((error: unknown) => void) | undefined;
}): Webhooks {
  const inFlight = new Set<Promise<unknown>>();

  const send: Webhooks['send'] = async (input) => {
    const account = input.accountId ? brokerage.accounts.get(input.accountId) : undefined;
    const authorization = brokerage.authorizations.get(
      input.authorizationId ?? account?.authorizationId ?? '',
    );
    const payload: Record<string, unknown> = {
      webhookId: ids.uuid(),
      clientId,
      eventTimestamp: snapTradeTimestamp(input.eventTimestamp ?? now()),
      userId: input.userId,
      eventType: input.type ?? 'TRADE_DETECTION',
      ...(input.accountId ? { accountId: input.accountId } : {}),
      ...(authorization
        ? { brokerageAuthorizationId: authorization.id, brokerageId: authorization.brokerageId }
        : {}),
      ...(input.details ? { details: input.details } : {}),
    };
    const { body, signature } = signSnapTradeWebhook({ payload, consumerKey });
    const response = await fetch(input.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Signature: signature },
      body,
    });
    await response.arrayBuffer();
    return { status: response.status, body, signature };
  };

  const deliver = (input: Omit<Parameters<Webhooks['send']>[0], 'url'>) => {
    if (!webhookUrl) return;
    const sending = send({ url: webhookUrl, ...input }).catch((error: unknown) => onWebhookError?.(error));
    inFlight.add(sending);
    void sending.finally(() => inFlight.delete(sending));
  };

  return {
    send,
    orderChanged(order) {
      const account = brokerage.accounts.get(order.accountId);
      if (!account) return;
      deliver({
        type: 'TRADE_DETECTION',
        userId: account.userId,
        accountId: account.id,
        details: { orders: [orderRecord(order)] },
      });
    },
    connectionChanged(authorization) {
      deliver({
        type: authorization.disabledAt ? 'CONNECTION_BROKEN' : 'CONNECTION_FIXED',
        userId: authorization.userId,
        authorizationId: authorization.id,
      });
    },
    async settled() {
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** SnapTrade writes event times with microseconds and an explicit offset. */
function snapTradeTimestamp(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}
