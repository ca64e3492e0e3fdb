/**
 * Webhooks as SnapTrade sends them: a JSON payload signed with the consumer key
 * (`signSnapTradeWebhook`). A TRADE_UPDATE goes to `webhookUrl` whenever an order changes;
 * controls send any other on demand.
 */
import { signSnapTradeWebhook } from '../webhook';
import type { SimOrder, SimulatedBrokerage } from './brokerage';
import type { SimulatorIds } from './ids';
import type { SimulatorControls } from './types';

export type Webhooks = {
  /** Sends a signed webhook (TRADE_UPDATE by default); resolves with the receiver's answer. */
  send: SimulatorControls['emitWebhook'];
  /** Tells `webhookUrl`, if any, that the order changed; failures go to `onWebhookError`. */
  orderChanged(order: SimOrder): void;
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
}: {
  brokerage: SimulatedBrokerage;
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
    const authorization = account ? brokerage.authorizations.get(account.authorizationId) : undefined;
    const payload: Record<string, unknown> = {
      webhookId: ids.uuid(),
      clientId,
      eventTimestamp: snapTradeTimestamp(input.eventTimestamp ?? now()),
      userId: input.userId,
      eventType: input.type ?? 'TRADE_UPDATE',
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

  return {
    send,
    orderChanged(order) {
      const account = brokerage.accounts.get(order.accountId);
      if (!webhookUrl || !account) return;
      const sending = send({
        url: webhookUrl,
        userId: account.userId,
        accountId: account.id,
        details: { brokerage_order_id: order.id, status: order.status },
      }).catch((error: unknown) => onWebhookError?.(error));
      inFlight.add(sending);
      void sending.finally(() => inFlight.delete(sending));
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
