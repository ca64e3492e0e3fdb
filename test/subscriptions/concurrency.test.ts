/**
 * Subscriptions under concurrent requests: the database decides, never a race in code.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { expectJson, signUp, signUpTrader } from './helpers';

const t = useTestDatabase();
let env: TestApp;

beforeAll(() => {
  env = buildTestApp(t);
});

describe('concurrent requests', () => {
  it('five simultaneous subscribes to one trader make one subscription; the others answer 409', async () => {
    const trader = await signUpTrader(env.app);
    const eager = await signUp(env.app, 'eager');
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => eager.client.post('/api/subscriptions', { traderId: trader.id })),
    );
    expect(answers.map((res) => res.status).sort()).toEqual([201, 409, 409, 409, 409]);
    const { rows } = await t.sql('SELECT id FROM subscriptions WHERE subscriber_id = $1', [eager.id]);
    expect(rows).toHaveLength(1);
    const notified = await t.sql(`SELECT 1 FROM notifications WHERE user_id = $1`, [trader.id]);
    expect(notified.rows).toHaveLength(1);
  });

  it('two traders subscribing to each other at the same moment both succeed (no deadlock)', async () => {
    for (let round = 0; round < 5; round += 1) {
      const a = await signUpTrader(env.app, 'a');
      const b = await signUpTrader(env.app, 'b');
      const answers = await Promise.all([
        a.client.post('/api/subscriptions', { traderId: b.id }),
        b.client.post('/api/subscriptions', { traderId: a.id }),
      ]);
      expect(answers.map((res) => res.status)).toEqual([201, 201]);
    }
  });

  it('pause and cancel at once: both apply in some order or one is refused, and the row ends consistent', async () => {
    const trader = await signUpTrader(env.app);
    const busy = await signUp(env.app, 'busy');
    const { id } = await expectJson(
      await busy.client.post('/api/subscriptions', { traderId: trader.id }),
      201,
    );
    const answers = await Promise.all([
      busy.client.post(`/api/subscriptions/${id}/pause`),
      busy.client.post(`/api/subscriptions/${id}/cancel`),
    ]);
    const [pause, cancel] = answers.map((res) => res.status);
    expect(cancel).toBe(200);
    expect([200, 422]).toContain(pause);
    const final = await expectJson(await busy.client.get(`/api/subscriptions/${id}`), 200);
    expect(final).toMatchObject({ status: 'cancelled', cancelledAt: expect.any(String) });
  });
});
