/**
 * Copies that wait for the subscriber (autoExecute off): the approval inbox with its countdown,
 * approve; another copy left alone lapses and the copy log says so in plain words. With the
 * live stream (`GET /api/events`) a toast asks for the approval and approves from there.
 *
 * The approval window is shortened for this server (12 s instead of 15 minutes) so a lapse is
 * seen within the test; the lapse job is run at once rather than at its next minute.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiUser,
  eventually,
  expectAccessible,
  expectHeading,
  firstChain,
  JOURNEY_TIMEOUT_MS,
  liveEventsAvailable,
  type OpenedPage,
  openPage,
  SETUP_TIMEOUT_MS,
  screenshot,
  seedUser,
  useJourney,
} from './support';

const APPROVAL_WINDOW_MS = 12_000;

const journey = useJourney({ approvalWindowMs: APPROVAL_WINDOW_MS });
let trader: ApiUser;
let subscriber: ApiUser;
let opened: OpenedPage;
let page: Page;
let contract: { underlying: string; optionType: 'call'; strike: string; expiration: string };

beforeAll(async () => {
  [trader, subscriber] = await Promise.all([
    seedUser(journey, 'tom', { trader: true, paper: true }),
    seedUser(journey, 'sue', { paper: true }),
  ]);
  // Asks before each copy: the default.
  await subscriber.post('/api/subscriptions', { traderId: trader.id });
  const { expiration, strikes } = await firstChain(trader, 'AMD');
  contract = { underlying: 'AMD', optionType: 'call', strike: strikes[10]?.strike ?? '', expiration };
  opened = await openPage(journey, subscriber);
  page = opened.page;
}, SETUP_TIMEOUT_MS);

const traderBuys = (quantity: number) => trader.post('/api/orders', { side: 'BTO', ...contract, quantity });

const cards = () => page.locator('article').filter({ hasText: 'Buy ' });

describe('approving copies', () => {
  it('approves a copy from the inbox, and shows a copy left alone as lapsed', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    await page.goto('/copying?tab=approvals');
    await expectHeading(page, 'Copying');
    await page.getByText('Nothing waits for your approval.').waitFor();

    await traderBuys(4);
    const card = cards().first();
    await eventually(page, () => card.getByText(/^\d+:\d\d left$/).waitFor({ timeout: 2_000 }), {
      reload: !liveEventsAvailable,
    });
    await card.getByText(`${trader.name} bought 4.`).waitFor();
    await card.getByRole('button', { name: /^Approve: Buy 4 · AMD/ }).click();
    await page.getByText('The copy was sent to your broker.').waitFor();
    await page.getByText('Nothing waits for your approval.').waitFor();

    // A second buy; this time nobody answers.
    await traderBuys(2);
    await eventually(
      page,
      () =>
        cards()
          .first()
          .getByText(/^\d+:\d\d left$/)
          .waitFor({ timeout: 2_000 }),
      {
        reload: !liveEventsAvailable,
      },
    );
    const waiting = cards().first();
    // Checked while the countdown runs: the waiting costs the test nothing.
    await expectAccessible(page, 'the approval inbox');
    await screenshot(page, 'approvals');
    // The countdown runs out on the page itself.
    await waiting.getByText('Lapsed', { exact: true }).waitFor({ timeout: APPROVAL_WINDOW_MS + 5_000 });
    expect(await waiting.getByRole('button', { name: /^Approve/ }).isDisabled()).toBe(true);
    await journey.runJob('lapse-approvals');

    await page.goto('/copying?tab=log');
    const lapsed = page.locator('tbody tr[data-copy-id]').filter({ hasText: 'Lapsed' });
    await eventually(page, () => lapsed.waitFor({ timeout: 2_000 }), { reload: true });
    await lapsed.getByText('You did not approve within 15 minutes, so the copy was not placed.').waitFor();
    const approved = page.locator('tbody tr[data-copy-id]').filter({ hasText: `${trader.name}: 4 → you: 4` });
    await approved.getByText('Filled', { exact: true }).waitFor();
    await expectAccessible(page, 'the copy log with a lapse');
  });

  it.skipIf(!liveEventsAvailable)(
    'asks for the approval in a toast and approves from it',
    { timeout: JOURNEY_TIMEOUT_MS },
    async () => {
      await page.goto('/');
      await expectHeading(page, /^Welcome, /);
      await traderBuys(1);
      const toast = page.getByRole('alert').filter({ hasText: 'Approval wanted' });
      await toast.waitFor();
      await toast.getByRole('button', { name: 'Approve' }).click();
      await page.getByText('The copy was sent to your broker.').waitFor();
      const inbox = (await subscriber.get('/api/copies?outcome=pending_approval')) as { copies: unknown[] };
      expect(inbox.copies).toEqual([]);
    },
  );

  it('threw no uncaught error in the page', () => {
    expect(opened.errors).toEqual([]);
  });
});
