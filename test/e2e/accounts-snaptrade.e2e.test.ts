/**
 * A brokerage connected through SnapTrade's Connection Portal, the whole round trip against
 * the local simulator (BROKER=snaptrade-sim): connect, come back to Accounts, select the new
 * account, sync its balances, disconnect it.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports';
import {
  type ApiUser,
  expectAccessible,
  expectHeading,
  JOURNEY_TIMEOUT_MS,
  type OpenedPage,
  openPage,
  SETUP_TIMEOUT_MS,
  screenshot,
  seedUser,
  useJourney,
} from './support';

const journey = useJourney({
  env: { BROKER: 'snaptrade-sim', SNAPTRADE_SIM_PORT: String(await freePort()) },
});
let kim: ApiUser;
let opened: OpenedPage;
let page: Page;

beforeAll(async () => {
  kim = await seedUser(journey, 'kim');
  opened = await openPage(journey, kim);
  page = opened.page;
}, SETUP_TIMEOUT_MS);

describe('a brokerage through the Connection Portal', () => {
  it('connects, selects, syncs and disconnects the account', { timeout: JOURNEY_TIMEOUT_MS }, async () => {
    await page.goto('/accounts');
    await expectHeading(page, 'Accounts');
    await page.getByText('No accounts yet.').waitFor();
    await page.getByRole('button', { name: 'Connect a brokerage' }).click();

    // The simulator's portal, then back through the API's callback to Accounts.
    await page.getByRole('heading', { name: 'Connect a brokerage (simulated)' }).waitFor();
    await page.getByRole('button', { name: /^Connect / }).click();
    await expectHeading(page, 'Accounts');
    expect(new URL(page.url()).pathname).toBe('/accounts');
    await page.getByText('One account was added.').waitFor();

    const card = page.getByRole('article').filter({ hasText: 'SnapTrade' });
    // The first account a person has is the one their orders go to.
    await card.getByText('Selected', { exact: true }).waitFor();

    // With a paper account beside it, either can be selected.
    await kim.post('/api/accounts/paper', {});
    await page.reload();
    const paper = page.getByRole('article', { name: 'Paper account' });
    await paper.getByRole('button', { name: /^Select / }).click();
    await paper.getByText('Selected', { exact: true }).waitFor();
    await card.getByRole('button', { name: /^Select / }).click();
    await card.getByText('Selected', { exact: true }).waitFor();
    expect(await paper.getByText('Selected', { exact: true }).count()).toBe(0);
    await card.getByRole('button', { name: /^Sync / }).click();
    await card.getByText(/balances synced (just now|\d+ min ago)/).waitFor();
    await expectAccessible(page, 'accounts with a brokerage');
    await screenshot(page, 'accounts-snaptrade');

    await card.getByRole('button', { name: /^Disconnect / }).click();
    const confirm = page.getByRole('dialog', { name: /^Disconnect / });
    await confirm.getByRole('button', { name: 'Disconnect' }).click();
    await card.getByText('Disconnected', { exact: true }).waitFor();
    const { accounts } = (await kim.get('/api/accounts')) as { accounts: { isActive: boolean }[] };
    expect(accounts.map((account) => account.isActive).sort()).toEqual([false, true]);
  });

  it('threw no uncaught error in the page', () => {
    expect(opened.errors).toEqual([]);
  });
});
