/**
 * PRODUCT.md §1a and §2 against the simulator: each SnapTrade webhook type's effect (through our
 * HTTP endpoint, signed as SnapTrade signs), broken connections (copies skipped with the
 * reason, one notification per break, reconnect through the portal keeping the ids), a sync
 * that finds the connection disabled, and read-only brokerages. Every exchange honours the spec.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSnapTradeWebhook } from '../../src/broker/snaptrade/webhook';
import { completeSnaptradeConnection } from '../../src/services/accounts/complete-snaptrade-connection';
import { createPaperAccount } from '../../src/services/accounts/create-paper-account';
import { reconnectSnaptrade } from '../../src/services/accounts/reconnect-snaptrade';
import { selectAccount } from '../../src/services/accounts/select-account';
import { syncBalances } from '../../src/services/accounts/sync-balances';
import { fanOutCopies } from '../../src/services/copy/fan-out-copies';
import { subscribe } from '../../src/services/subscriptions/subscribe';
import { placeBto } from '../../src/services/trading/place-bto';
import { syncAccountOrders } from '../../src/services/trading/sync-account-orders';
import { expectExchangesMatchSpec } from '../broker/snaptrade/support';
import { buildTestApp, type TestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { createUser } from '../helpers/factories';
import { type SnapTradeEnv, type SnapTradeUser, snapTradeUser, startSnapTradeEnv } from './snaptrade-support';

const t = useTestDatabase();
const SYMBOL = 'AAPL  300118C00150000';
const CONTRACT = { underlying: 'AAPL', optionType: 'call', strike: '150', expiration: '2030-01-18' } as const;

let env: SnapTradeEnv;
let app: TestApp;

beforeAll(async () => {
  env = await startSnapTradeEnv(t);
  app = buildTestApp(t, { trading: env.trading, clock: env.clock });
  env.sim.controls.setQuote(SYMBOL, { bid: '2.40', ask: '2.50' });
});
afterAll(async () => {
  await env?.close();
});

/** SnapTrade's webhook, signed, to our endpoint; answers its status and body. */
async function webhook(payload: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
  const hook = signSnapTradeWebhook({
    payload: { webhookId: `wh-${Math.random()}`, eventTimestamp: env.clock.now().toISOString(), ...payload },
    consumerKey: env.sim.consumerKey,
  });
  const response = await app.app.request('/api/webhooks/snaptrade', {
    method: 'POST',
    headers: { 'content-type': 'application/json', signature: hook.signature },
    body: hook.body,
  });
  return { status: response.status, body: await response.json() };
}

async function accountRow(id: string) {
  const { rows } = await t.sql<{
    needs_reconnect: boolean;
    reconnect_reason: string | null;
    is_active: boolean;
    is_selected: boolean;
    read_only: boolean;
  }>(
    'SELECT needs_reconnect, reconnect_reason, is_active, is_selected, read_only FROM accounts WHERE id = $1',
    [id],
  );
  return rows[0];
}

async function notificationsOf(userId: string, type: string): Promise<number> {
  const { rows } = await t.sql<{ n: number }>(
    'SELECT count(*)::int AS n FROM notifications WHERE user_id = $1 AND type = $2',
    [userId, type],
  );
  return rows[0]?.n ?? 0;
}

async function jobs(key: string): Promise<Array<{ due: boolean }>> {
  const { rows } = await t.sql<{ due: boolean }>(
    'SELECT run_at <= now() AS due FROM graphile_worker._private_jobs WHERE key = $1',
    [key],
  );
  return rows;
}

/** A trader on paper with one follower whose selected account is `follower`'s. */
async function traderFollowedBy(follower: SnapTradeUser): Promise<string> {
  const trader = await createUser(t.db, { isTrader: true });
  await createPaperAccount({ ctx: env.ctx(trader.id), input: { startingBalance: '1000000' } });
  await t.db.execute(sql`
    INSERT INTO subscriptions (subscriber_id, trader_id, settings, status)
    VALUES (${follower.user.id}, ${trader.id}, ${JSON.stringify({ autoExecute: true, maxPositionSize: 10, maxDailyTrades: 50, scalingFactor: 1 })}::jsonb, 'active')`);
  return trader.id;
}

async function traderBuysAndFansOut(traderId: string) {
  const trade = await placeBto({
    ctx: env.ctx(traderId),
    deps: env.trading,
    input: { side: 'BTO', ...CONTRACT, quantity: 1 },
  });
  expect(trade.status).toBe('filled');
  await fanOutCopies({ ctx: env.ctx(), deps: env.trading, input: { tradeId: trade.id } });
  const { rows } = await t.sql<{ outcome: string; reason: string | null; copy_status: string | null }>(
    `SELECT d.outcome, d.reason, c.status AS copy_status
       FROM subscription_trades d LEFT JOIN trades c ON c.id = d.copy_trade_id WHERE d.source_trade_id = $1`,
    [trade.id],
  );
  return rows[0];
}

describe('webhooks SnapTrade sends', () => {
  it('TRADE_DETECTION syncs the account now; ACCOUNT_HOLDINGS_UPDATED refreshes balances and orders', async () => {
    const owner = await snapTradeUser(t, env);
    const detected = await webhook({
      eventType: 'TRADE_DETECTION',
      userId: owner.user.id,
      accountId: owner.brokerAccountId,
      details: { orders: [] },
    });
    expect(detected).toEqual({ status: 200, body: { accepted: true, synced: 1 } });
    expect(await jobs(`sync-account-orders:${owner.account.id}`)).toEqual([{ due: true }]);

    const holdings = await webhook({
      eventType: 'ACCOUNT_HOLDINGS_UPDATED',
      userId: owner.user.id,
      accountId: owner.brokerAccountId,
    });
    expect(holdings).toEqual({ status: 200, body: { accepted: true, synced: 1 } });
    const { rows } = await t.sql<{ payload: { accountIds: string[] } }>(
      `SELECT j.payload FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks k ON k.id = j.task_id
        WHERE k.identifier = 'sync-account-balances'`,
    );
    expect(rows.map((row) => row.payload.accountIds)).toContainEqual([owner.account.id]);
  });

  it('answers an unknown type (and TRADE_UPDATE, which SnapTrade does not send) 200, changing nothing', async () => {
    const owner = await snapTradeUser(t, env);
    for (const eventType of ['TRADE_UPDATE', 'USER_REGISTERED', 'SOMETHING_NEW']) {
      expect(await webhook({ eventType, userId: owner.user.id, accountId: owner.brokerAccountId })).toEqual({
        status: 200,
        body: { accepted: true, synced: 0 },
      });
    }
    expect(await jobs(`sync-account-orders:${owner.account.id}`)).toEqual([]);
  });

  it('CONNECTION_DELETED and ACCOUNT_REMOVED stop using the accounts; NEW_ACCOUNT_AVAILABLE adds one', async () => {
    const owner = await snapTradeUser(t, env);
    const second = env.sim.controls.connectAccount({
      userId: owner.user.id,
      authorizationId: owner.authorizationId,
    });
    expect(
      await webhook({
        eventType: 'NEW_ACCOUNT_AVAILABLE',
        userId: owner.user.id,
        accountId: second.accountId,
      }),
    ).toMatchObject({ status: 200 });
    const { rows: added } = await t.sql<{ id: string }>(
      'SELECT id FROM accounts WHERE user_id = $1 AND snaptrade_account_id = $2',
      [owner.user.id, second.accountId],
    );
    const secondId = added[0]?.id;
    if (!secondId) throw new Error('the new account was not added');

    await webhook({ eventType: 'ACCOUNT_REMOVED', userId: owner.user.id, accountId: second.accountId });
    expect(await accountRow(secondId)).toMatchObject({ is_active: false });
    expect(await accountRow(owner.account.id)).toMatchObject({ is_active: true, is_selected: true });

    await webhook({
      eventType: 'CONNECTION_DELETED',
      userId: owner.user.id,
      brokerageAuthorizationId: owner.authorizationId,
    });
    expect(await accountRow(owner.account.id)).toMatchObject({ is_active: false, is_selected: false });
  });
});

describe('a broken connection', () => {
  it('skips copies with the reason, tells the user once, and a reconnect through the portal restores it, same ids', async () => {
    const follower = await snapTradeUser(t, env);
    const traderId = await traderFollowedBy(follower);
    expect(await traderBuysAndFansOut(traderId)).toMatchObject({
      outcome: 'executed',
      copy_status: 'filled',
    });

    // SnapTrade tells us (the simulator breaks the connection as an expired token would).
    env.sim.controls.setConnectionDisabled(follower.authorizationId, true);
    const broken = {
      eventType: 'CONNECTION_BROKEN',
      userId: follower.user.id,
      brokerageAuthorizationId: follower.authorizationId,
    };
    expect(await webhook(broken)).toEqual({ status: 200, body: { accepted: true, synced: 1 } });
    expect(await webhook(broken)).toEqual({ status: 200, body: { accepted: true, synced: 0 } });
    // A sync that finds it disabled is the same break, not a second one.
    await syncBalances({ ctx: env.ctx(), deps: env.trading, input: { accountId: follower.account.id } });
    expect(await accountRow(follower.account.id)).toMatchObject({
      needs_reconnect: true,
      reconnect_reason: expect.stringContaining('Reconnect'),
    });
    expect(await notificationsOf(follower.user.id, 'connection_broken')).toBe(1);

    const placementsBefore = env.sim.exchanges.filter(
      (e) => e.operationId === 'Trading_placeMlegOrder',
    ).length;
    expect(await traderBuysAndFansOut(traderId)).toMatchObject({
      outcome: 'skipped',
      reason: 'connection_broken',
      copy_status: 'rejected',
    });
    expect(env.sim.exchanges.filter((e) => e.operationId === 'Trading_placeMlegOrder').length).toBe(
      placementsBefore,
    );
    await expect(
      placeBto({
        ctx: env.ctx(follower.user.id),
        deps: env.trading,
        input: { side: 'BTO', ...CONTRACT, quantity: 1 },
      }),
    ).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', message: expect.stringContaining('reconnect') });

    // The user reconnects: the portal repairs the same connection, and coming back clears the mark.
    const { url } = await reconnectSnaptrade({
      ctx: env.ctx(follower.user.id),
      deps: env.trading,
      input: {
        accountId: follower.account.id,
        redirectUrl: 'http://localhost:3000/api/accounts/snaptrade/callback',
      },
    });
    const login = env.sim.exchanges.findLast((e) => e.operationId === 'Authentication_loginSnapTradeUser');
    expect(login?.requestBody).toMatchObject({ reconnect: follower.authorizationId });
    const sessionId = new URL(url).searchParams.get('sessionId') ?? '';
    const portal = await fetch(`${env.sim.url}/portal/connect`, {
      method: 'POST',
      body: new URLSearchParams({ sessionId }),
      redirect: 'manual',
    });
    expect(portal.status).toBe(302);
    const back = await completeSnaptradeConnection({ ctx: env.ctx(follower.user.id), deps: env.trading });
    expect(back.map((account) => account.id)).toEqual([follower.account.id]);
    expect(await accountRow(follower.account.id)).toMatchObject({
      needs_reconnect: false,
      reconnect_reason: null,
    });

    expect(await traderBuysAndFansOut(traderId)).toMatchObject({
      outcome: 'executed',
      copy_status: 'filled',
    });

    // Broken again later: a new break, told again; CONNECTION_FIXED clears it too.
    await webhook(broken);
    expect(await notificationsOf(follower.user.id, 'connection_broken')).toBe(2);
    await webhook({ ...broken, eventType: 'CONNECTION_FIXED' });
    expect(await accountRow(follower.account.id)).toMatchObject({ needs_reconnect: false });
    expectExchangesMatchSpec(env.sim.exchanges);
  });
});

describe('an order sync', () => {
  it('that finds the connection disabled marks the account broken, tells the user once, and clears it once fixed', async () => {
    const owner = await snapTradeUser(t, env);
    // No CONNECTION_BROKEN arrives (a missed webhook): the sync is what notices.
    env.sim.controls.setConnectionDisabled(owner.authorizationId, true);
    const sync = () =>
      syncAccountOrders({ ctx: env.ctx(), deps: env.trading, input: { accountId: owner.account.id } });
    const connectionChecks = () =>
      env.sim.exchanges.filter(
        (e) =>
          e.operationId === 'Connections_detailBrokerageAuthorization' &&
          e.pathParams.authorizationId === owner.authorizationId,
      ).length;
    /** The next sync may ask again (the shared once-a-minute allowance has come back). */
    const aMinuteLater = () =>
      t.sql(`UPDATE rate_budgets SET refilled_at = refilled_at - interval '1 minute' WHERE key = $1`, [
        `snaptrade:connection-check:${owner.account.id}`,
      ]);

    await sync();
    expect(connectionChecks()).toBe(1);
    expect(await accountRow(owner.account.id)).toMatchObject({
      needs_reconnect: true,
      reconnect_reason: expect.stringContaining('Reconnect'),
    });
    expect(await notificationsOf(owner.user.id, 'connection_broken')).toBe(1);
    await expect(
      placeBto({
        ctx: env.ctx(owner.user.id),
        deps: env.trading,
        input: { side: 'BTO', ...CONTRACT, quantity: 1 },
      }),
    ).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    // Polled again within the minute: SnapTrade is not asked again.
    await sync();
    expect(connectionChecks()).toBe(1);
    // A minute later it asks: still the same break, not a second one.
    await aMinuteLater();
    await sync();
    expect(connectionChecks()).toBe(2);
    expect(await notificationsOf(owner.user.id, 'connection_broken')).toBe(1);

    env.sim.controls.setConnectionDisabled(owner.authorizationId, false);
    await aMinuteLater();
    await sync();
    expect(await accountRow(owner.account.id)).toMatchObject({
      needs_reconnect: false,
      reconnect_reason: null,
    });
    expectExchangesMatchSpec(env.sim.exchanges);
  });
});

describe('a read-only brokerage', () => {
  it('says so, cannot be selected, its subscriber is told on subscribing, and copies are skipped account_read_only', async () => {
    const reader = await snapTradeUser(t, env, { brokerSlug: 'ROBINHOOD' });
    // What the connect flow records: read-only, and not selected.
    const [listed] = await completeSnaptradeConnection({ ctx: env.ctx(reader.user.id), deps: env.trading });
    expect(listed).toMatchObject({ id: reader.account.id, readOnly: true });
    await t.sql('UPDATE accounts SET is_selected = FALSE WHERE id = $1', [reader.account.id]);
    await expect(
      selectAccount({ ctx: env.ctx(reader.user.id), input: { accountId: reader.account.id } }),
    ).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', message: expect.stringContaining('read-only') });

    const trader = await createUser(t.db, { isTrader: true });
    const subscribed = await subscribe({
      ctx: env.ctx(reader.user.id),
      input: { traderId: trader.id, settings: { autoExecute: true } },
    });
    expect(subscribed.accountWarning).toMatch(/read-only/);

    // An account selected before its brokerage went read-only: copies are skipped, never sent.
    await t.sql('UPDATE accounts SET is_selected = TRUE WHERE id = $1', [reader.account.id]);
    await createPaperAccount({ ctx: env.ctx(trader.id), input: { startingBalance: '1000000' } });
    expect(await traderBuysAndFansOut(trader.id)).toMatchObject({
      outcome: 'skipped',
      reason: 'account_read_only',
    });
    expectExchangesMatchSpec(env.sim.exchanges);
  });
});
