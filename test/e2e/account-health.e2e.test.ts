/**
 * Connection health in the browser (PRODUCT.md §1a, §8), against the local simulator
 * (BROKER=snaptrade-sim): SnapTrade reports the connection broken (its CONNECTION_BROKEN
 * webhook, signed as SnapTrade signs it, to our endpoint); the account says so with the reason,
 * and Reconnect opens the Connection Portal on that same connection, which repairs it. A
 * read-only brokerage is labelled and cannot be picked for trading in the ticket or for copying.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { signSnapTradeWebhook } from '../../src/broker/snaptrade/webhook';
import { SIMULATOR_CREDENTIALS } from '../../src/runtime';
import { freePort } from '../helpers/ports';
import {
  type ApiUser,
  expectAccessible,
  expectHeading,
  expectNoHorizontalScroll,
  firstChain,
  JOURNEY_TIMEOUT_MS,
  type OpenedPage,
  openPage,
  PHONE,
  SETUP_TIMEOUT_MS,
  screenshot,
  seedUser,
  tradeUrl,
  useJourney,
} from './support';

const journey = useJourney({
  env: { BROKER: 'snaptrade-sim', SNAPTRADE_SIM_PORT: String(await freePort()) },
});
let kim: ApiUser;
let opened: OpenedPage;
let page: Page;
let snaptradeAccountId = '';

type AccountView = {
  id: string;
  provider: string;
  needsReconnect: boolean;
  readOnly: boolean;
  isSelected: boolean;
};

async function accountsOf(user: ApiUser): Promise<AccountView[]> {
  return ((await user.get('/api/accounts')) as { accounts: AccountView[] }).accounts;
}

beforeAll(async () => {
  kim = await seedUser(journey, 'kim');
  opened = await openPage(journey, kim);
  page = opened.page;
  // A brokerage through the portal (as a person connects one), and a paper account beside it.
  await page.goto('/accounts');
  await page.getByRole('button', { name: 'Connect a brokerage' }).click();
  await page.getByRole('button', { name: /^Connect / }).click();
  await page.getByText('One account was added.').waitFor();
  await kim.post('/api/accounts/paper', {});
  snaptradeAccountId = (await accountsOf(kim)).find((account) => account.provider === 'snaptrade')?.id ?? '';
}, SETUP_TIMEOUT_MS);

/** SnapTrade's CONNECTION_BROKEN for the account's connection, signed, to our webhook endpoint. */
async function snaptradeReportsBroken(accountId: string): Promise<void> {
  const { rows } = await journey.db.sql<{ user_id: string; authorization_id: string }>(
    `SELECT u.snaptrade_user_id AS user_id, a.snaptrade_authorization_id AS authorization_id
       FROM accounts a JOIN users u ON u.id = a.user_id WHERE a.id = $1`,
    [accountId],
  );
  const row = rows[0];
  if (!row) throw new Error('no such account');
  const hook = signSnapTradeWebhook({
    payload: {
      webhookId: `wh-${Date.now()}`,
      eventType: 'CONNECTION_BROKEN',
      eventTimestamp: new Date().toISOString(),
      userId: row.user_id,
      brokerageAuthorizationId: row.authorization_id,
    },
    consumerKey: SIMULATOR_CREDENTIALS.consumerKey,
  });
  const response = await fetch(`${journey.baseUrl}/api/webhooks/snaptrade`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', signature: hook.signature },
    body: hook.body,
  });
  expect(await response.json()).toEqual({ accepted: true, synced: 1 });
}

describe('a broken brokerage connection', () => {
  it('shows on the account with its reason, and Reconnect repairs the same connection', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    await snaptradeReportsBroken(snaptradeAccountId);
    // Home says so first, and leads to Accounts.
    await page.goto('/');
    const reminder = page.getByRole('alert').filter({ hasText: 'needs reconnecting' });
    await reminder.getByText(/expired login or changed password/).waitFor();
    await reminder.getByRole('link', { name: 'Reconnect in Accounts' }).click();
    await expectHeading(page, 'Accounts');
    const card = page.getByRole('article').filter({ hasText: 'SnapTrade' });
    await card.getByText('Needs reconnecting', { exact: true }).first().waitFor();
    await card.getByText(/expired login or changed password/).waitFor();
    await card.getByText(/Orders and copies to this account are stopped until you reconnect it/).waitFor();
    // The paper account beside it is fine.
    const paper = page.getByRole('article', { name: 'Paper account' });
    expect(await paper.getByText('Needs reconnecting').count()).toBe(0);
    await expectAccessible(page, 'accounts with a broken connection');
    await screenshot(page, 'accounts-needs-reconnecting');
    // On a phone too: the reason and the button fit 390 px.
    const phone = await openPage(journey, kim, PHONE);
    await phone.page.goto('/accounts');
    await phone.page.getByRole('button', { name: /^Reconnect / }).waitFor();
    await expectNoHorizontalScroll(phone.page);
    await expectAccessible(phone.page, 'accounts with a broken connection, on a phone');
    await phone.context.close();

    // Reconnect asks the API for the portal link and goes there: the portal opened on the
    // broken connection (reconnect=<authorization id>) offers to repair it, not a new one.
    const asked = page.waitForRequest(
      (request) =>
        request.method() === 'POST' &&
        request.url().endsWith(`/api/accounts/${snaptradeAccountId}/reconnect`),
    );
    await card.getByRole('button', { name: /^Reconnect / }).click();
    await asked;
    await page.getByRole('heading', { name: 'Reconnect your brokerage (simulated)' }).waitFor();
    await page.getByRole('button', { name: 'Reconnect' }).click();
    await expectHeading(page, 'Accounts');
    await card.getByText(/Connection OK/).waitFor();
    expect(await card.getByText('Needs reconnecting').count()).toBe(0);
    // Same account, not a new one.
    const accounts = await accountsOf(kim);
    expect(accounts.filter((account) => account.provider === 'snaptrade')).toEqual([
      expect.objectContaining({ id: snaptradeAccountId, needsReconnect: false }),
    ]);
  });

  it('the ticket says the selected account cannot trade until it is reconnected', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    await kim.post(`/api/accounts/${snaptradeAccountId}/select`);
    await snaptradeReportsBroken(snaptradeAccountId);
    const { expiration, strikes } = await firstChain(kim, 'AAPL');
    const strike = strikes[Math.floor(strikes.length / 2)]?.strike ?? '';
    await page.goto(tradeUrl({ underlying: 'AAPL', expiration, strike }));
    const ticket = page.getByRole('region', { name: /^Buy / });
    const why = ticket.getByRole('alert').filter({ hasText: 'cannot trade' });
    await why.getByText(/needs reconnecting: .*expired login or changed password/).waitFor();
    await why.getByRole('link', { name: 'Reconnect it in Accounts.' }).waitFor();
    expect(await ticket.getByRole('button', { name: 'Buy to open' }).isDisabled()).toBe(true);
    // Choosing the paper account in the ticket makes it the one orders go to.
    const paperId = (await accountsOf(kim)).find((account) => account.provider === 'paper')?.id ?? '';
    await ticket.getByLabel('Trade with').selectOption(paperId);
    await expect.poll(async () => (await accountsOf(kim)).find((a) => a.isSelected)?.provider).toBe('paper');
    await expect.poll(() => ticket.getByRole('button', { name: 'Buy to open' }).isDisabled()).toBe(false);
    expect(await why.count()).toBe(0);
  });
});

describe('a read-only brokerage', () => {
  it('is labelled read-only and cannot be picked in the ticket or for copying', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    // What the connection's brokerage says on connecting (Robinhood, Fidelity… read-only through SnapTrade).
    await journey.db.sql('UPDATE accounts SET read_only = TRUE, needs_reconnect = FALSE WHERE id = $1', [
      snaptradeAccountId,
    ]);
    await page.goto('/accounts');
    const card = page.getByRole('article').filter({ hasText: 'SnapTrade' });
    await card.getByText('Read-only', { exact: true }).waitFor();
    await card.getByText(/cannot place orders or receive copies/).waitFor();
    expect(await card.getByRole('button', { name: /^Select / }).count()).toBe(0);
    await expectAccessible(page, 'accounts with a read-only brokerage');

    const { expiration, strikes } = await firstChain(kim, 'AAPL');
    const strike = strikes[Math.floor(strikes.length / 2)]?.strike ?? '';
    await page.goto(tradeUrl({ underlying: 'AAPL', expiration, strike }));
    const picker = page.getByRole('region', { name: /^Buy / }).getByLabel('Trade with');
    const readOnly = picker.locator('option', { hasText: 'read-only, cannot trade' });
    await readOnly.waitFor({ state: 'attached' });
    expect(await readOnly.count()).toBe(1);
    expect(await readOnly.isDisabled()).toBe(true);
    expect((await accountsOf(kim)).find((account) => account.isSelected)?.provider).toBe('paper');

    // Copying: the account copies go to is picked by the same rule on a trader's profile.
    const tess = await seedUser(journey, 'tess', { trader: true });
    await page.goto(`/traders/${tess.id}`);
    const copyInto = page.getByRole('region', { name: /^Copy / }).getByLabel('Copy into');
    const readOnlyForCopies = copyInto.locator('option', { hasText: 'read-only, cannot trade' });
    await readOnlyForCopies.waitFor({ state: 'attached' });
    expect(await readOnlyForCopies.count()).toBe(1);
    expect(await readOnlyForCopies.isDisabled()).toBe(true);
    await expectAccessible(page, 'subscribing with a read-only account beside');

    // Once subscribed, Copying shows where copies go, with the same rule.
    await kim.post('/api/subscriptions', { traderId: tess.id });
    await page.goto('/copying');
    const copyingPicker = page.getByLabel('Copy into');
    const readOnlyOnCopying = copyingPicker.locator('option', { hasText: 'read-only, cannot trade' });
    await readOnlyOnCopying.waitFor({ state: 'attached' });
    expect(await readOnlyOnCopying.isDisabled()).toBe(true);
  });
});

describe('the page', () => {
  it('threw no uncaught error', () => {
    expect(opened.errors).toEqual([]);
  });
});
