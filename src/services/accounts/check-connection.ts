import type { BrokerAccountRef } from '../../broker/port';
import type { ServiceContext } from '../context';
import type { TradingDeps } from '../trading/deps';
import { markConnectionBroken, markConnectionFixed } from './connection-health';

/**
 * A sync's look at the account's SnapTrade connection (PRODUCT.md §1a). A disabled connection
 * still answers balances and orders (SnapTrade's last cached state), so a sync asks how the
 * connection is: disabled marks the account `needs_reconnect` (the same break a
 * CONNECTION_BROKEN reports, told once), working clears a mark. Nothing for other brokers.
 */
export async function checkSnaptradeConnection({
  ctx,
  deps,
  input,
}: {
  ctx: ServiceContext;
  deps: TradingDeps;
  input: {
    account: { id: string; needsReconnect: boolean; snaptradeAuthorizationId: string };
    ref: BrokerAccountRef;
  };
}): Promise<void> {
  const { account, ref } = input;
  if (!ref.snaptrade || !deps.snaptrade || !account.snaptradeAuthorizationId) return;
  const status = await deps.snaptrade.connectionStatus({
    ...ref.snaptrade,
    authorizationId: account.snaptradeAuthorizationId,
  });
  const target = { accountIds: [account.id] };
  if (status?.disabled) await markConnectionBroken({ ctx, input: { target } });
  else if (status && account.needsReconnect) await markConnectionFixed({ ctx, input: { target } });
}
