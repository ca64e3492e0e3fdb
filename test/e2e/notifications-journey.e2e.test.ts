/**
 * Notifications in the browser: the bell counts up live when a copy is executed for the
 * signed-in subscriber and down when read; preferences saved and honoured (a muted type raises
 * no pop-up); push in this browser with the app's service worker, its subscription reaching the
 * API and a test push reaching the (local) push service.
 *
 * The npm-shipped Chromium is a headless shell that answers every notification permission
 * request with "denied", so the page's `Notification.requestPermission` and
 * `PushManager.subscribe` are stood in for by a browser of the local push service (its real keys);
 * the service worker itself is the app's, registered by the page.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPushService } from '../helpers/push-service';
import {
  type ApiUser,
  eventually,
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
  useJourney,
} from './support';

const push = await startPushService();
const journey = useJourney({ env: { TEST_PUSH_ORIGIN: push.origin } });
let trader: ApiUser;
let subscriber: ApiUser;
let opened: OpenedPage;
let page: Page;
let contract: { underlying: string; optionType: 'call'; strike: string; expiration: string };

beforeAll(async () => {
  [trader, subscriber] = await Promise.all([
    seedUser(journey, 'nina', { trader: true, paper: true }),
    seedUser(journey, 'omar', { paper: true }),
  ]);
  await subscriber.post('/api/subscriptions', { traderId: trader.id, settings: { autoExecute: true } });
  const { expiration, strikes } = await firstChain(trader, 'MSFT');
  contract = { underlying: 'MSFT', optionType: 'call', strike: strikes[8]?.strike ?? '', expiration };
  opened = await openPage(journey, subscriber);
  page = opened.page;
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await push.close();
});

const traderBuys = () => trader.post('/api/orders', { side: 'BTO', ...contract, quantity: 1 });
const bell = () => page.getByTestId('bell');
const unreadOnBell = async () =>
  Number(/(\d+) unread/.exec((await bell().getAttribute('aria-label')) ?? '')?.[1]);
const copyToasts = () => page.getByRole('alert').filter({ hasText: 'Copy filled' });
const alertSwitch = () => page.getByRole('checkbox', { name: 'Alert: A copy was executed' });

async function setCopyAlerts(on: boolean): Promise<void> {
  await page.goto('/settings#notifications');
  await expectHeading(page, 'Settings');
  const box = alertSwitch();
  if ((await box.isChecked()) !== on) {
    await box.click();
    await page.getByRole('alert').filter({ hasText: 'Your notification choices are saved.' }).waitFor();
  }
  // Saved: the server answers the same after a reload.
  await page.reload();
  await expectHeading(page, 'Settings');
  expect(await alertSwitch().isChecked()).toBe(on);
}

describe('notifications', () => {
  it('the bell counts up live when a copy is executed and down when read; a pop-up when alerts are on', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    await setCopyAlerts(true);
    await expectAccessible(page, 'settings with notification choices and push');
    await screenshot(page, 'settings-notifications');

    await page.goto('/notifications');
    await expectHeading(page, 'Notifications');
    expect(await unreadOnBell()).toBe(0);
    await page.getByText('No notifications yet.').waitFor();

    await traderBuys();
    // Live: no reload.
    await eventually(page, async () => expect(await unreadOnBell()).toBeGreaterThan(0), { reload: false });
    await copyToasts().first().waitFor();
    const item = page.getByRole('listitem', { name: 'Unread: Copy trade executed' });
    await item.waitFor();
    await expectAccessible(page, 'notifications with an unread one');
    await screenshot(page, 'notifications');

    const before = await unreadOnBell();
    await item.getByRole('button', { name: /^Mark read/ }).click();
    await eventually(page, async () => expect(await unreadOnBell()).toBe(before - 1), { reload: false });
    await page.getByRole('listitem', { name: 'Copy trade executed' }).waitFor();

    // The unread filter.
    await page.getByText(/^Unread \(/).click();
    await expect.poll(() => page.url()).toContain('unread=true');
    if ((await unreadOnBell()) === 0) await page.getByText('Nothing unread. You are up to date.').waitFor();
    await page.getByText('All', { exact: true }).click();

    // The bell's own list.
    await bell().click();
    await page.getByRole('dialog').getByText('Copy trade executed').first().waitFor();
    await page.keyboard.press('Escape');
  });

  it('a muted type raises no pop-up, but still counts on the bell; mark all read', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    await setCopyAlerts(false);
    await page.goto('/notifications');
    await expectHeading(page, 'Notifications');
    await page
      .getByRole('listitem', { name: /Copy trade executed/ })
      .first()
      .waitFor();
    const listed = await page.getByRole('listitem', { name: /Copy trade executed/ }).count();
    const toastsBefore = await copyToasts().count();
    const before = await unreadOnBell();
    await traderBuys();
    await eventually(page, async () => expect(await unreadOnBell()).toBeGreaterThan(before), {
      reload: false,
    });
    await expect
      .poll(() => page.getByRole('listitem', { name: /Copy trade executed/ }).count())
      .toBe(listed + 1);
    expect(await copyToasts().count()).toBe(toastsBefore);

    await page.getByRole('button', { name: 'Mark all read' }).click();
    await eventually(page, async () => expect(await unreadOnBell()).toBe(0), { reload: false });
    await expect.poll(() => page.getByRole('listitem', { name: /^Unread: / }).count()).toBe(0);
  });

  it('turns push on in this browser after a click: the service worker is registered and the subscription reaches the API; a test push arrives; turned off again', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    const browser = push.browser();
    await page.addInitScript((subscription) => {
      let current: unknown = null;
      const fake = {
        endpoint: subscription.endpoint,
        expirationTime: null,
        toJSON: () => subscription,
        unsubscribe: async () => {
          current = null;
          return true;
        },
      };
      const asked = window as unknown as { permissionAsked: number };
      asked.permissionAsked = 0;
      Notification.requestPermission = async () => {
        asked.permissionAsked += 1;
        return 'granted';
      };
      PushManager.prototype.subscribe = async function subscribe() {
        current = fake;
        return fake as unknown as PushSubscription;
      };
      PushManager.prototype.getSubscription = async function getSubscription() {
        return current as PushSubscription | null;
      };
    }, browser.subscription);
    await page.goto('/settings#push');
    await expectHeading(page, 'Settings');
    const panel = page.getByRole('region', { name: 'Push in this browser' });
    const turnOn = panel.getByRole('button', { name: 'Turn on push in this browser' });
    await turnOn.waitFor();
    const permissionAsked = () =>
      page.evaluate(() => (window as unknown as { permissionAsked: number }).permissionAsked);
    // The browser's question comes only with the click.
    expect(await permissionAsked()).toBe(0);
    await turnOn.click();
    await panel.getByText('Push is on in this browser').waitFor();
    expect(await permissionAsked()).toBe(1);

    const worker = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration('/');
      return registration?.active?.scriptURL ?? null;
    });
    expect(worker).toBe(`${journey.baseUrl}/sw.js`);
    const { subscriptions } = (await subscriber.get('/api/push-subscriptions')) as {
      subscriptions: { id: string; endpoint: string }[];
    };
    expect(subscriptions.map((s) => s.endpoint)).toEqual([browser.subscription.endpoint]);
    await expectAccessible(page, 'push turned on');

    const sent = push.received.length;
    await panel.getByRole('button', { name: 'Send a test push' }).click();
    await page.getByRole('alert').filter({ hasText: 'Test push sent' }).waitFor();
    const [received] = push.received.slice(sent);
    expect(received?.jwt.verified).toBe(true);
    expect(JSON.parse(received?.payload ?? 'null')).toMatchObject({ type: 'test', title: 'Alertsify test' });

    await panel.getByRole('button', { name: 'Turn off push in this browser' }).click();
    await panel.getByRole('button', { name: 'Turn on push in this browser' }).waitFor();
    expect(
      ((await subscriber.get('/api/push-subscriptions')) as { subscriptions: unknown[] }).subscriptions,
    ).toEqual([]);
  });

  it('fits a phone: notifications and settings without sideways scrolling, the bell in the header', {
    timeout: JOURNEY_TIMEOUT_MS,
  }, async () => {
    const phone = await openPage(journey, subscriber, PHONE);
    try {
      for (const [path, heading] of [
        ['/notifications', 'Notifications'],
        ['/settings', 'Settings'],
      ] as const) {
        await phone.page.goto(path);
        await expectHeading(phone.page, heading);
        await phone.page.getByTestId('bell').waitFor();
        await expectNoHorizontalScroll(phone.page);
      }
      await screenshot(phone.page, 'settings-phone');
      expect(phone.errors).toEqual([]);
    } finally {
      await phone.context.close();
    }
  });

  it('threw no uncaught error in the page', () => {
    expect(opened.errors).toEqual([]);
  });
});
