/**
 * My profile (PATCH /api/me: name, username, bio, avatar address) and signing out everywhere
 * (POST /api/auth/revoke-sessions ends every session of the account).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, HttpClient, inProcess, newCredentials, type TestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { expectError, expectJson, patch, signUp } from '../subscriptions/helpers';

const t = useTestDatabase();
let env: TestApp;

beforeAll(() => {
  env = buildTestApp(t);
});

describe('my profile', () => {
  it('changes name, username, bio and avatar; left-out fields keep their value; blank clears', async () => {
    const ann = await signUp(env.app, 'ann');
    const changed = await expectJson(
      await patch(ann.client, '/api/me', {
        name: ' Ann Trader ',
        username: 'Ann_Trades',
        bio: 'Momentum calls on megacaps.',
        avatarUrl: 'https://images.example.com/ann.png',
      }),
      200,
    );
    expect(changed).toMatchObject({
      id: ann.id,
      name: 'Ann Trader',
      username: 'ann_trades',
      bio: 'Momentum calls on megacaps.',
      avatarUrl: 'https://images.example.com/ann.png',
    });
    const partly = await expectJson(await patch(ann.client, '/api/me', { bio: '' }), 200);
    expect(partly).toMatchObject({ name: 'Ann Trader', username: 'ann_trades', bio: null });
    expect(await expectJson(await ann.client.get('/api/me'), 200)).toEqual(partly);
  });

  it('refuses bad input with 400 naming the field, a taken username with 409, and no session with 401', async () => {
    const bob = await signUp(env.app, 'bob');
    const cat = await signUp(env.app, 'cat');
    await expectJson(await patch(bob.client, '/api/me', { username: 'bob_b' }), 200);
    for (const [body, field] of [
      [{ username: 'no spaces' }, 'username'],
      [{ username: 'ab' }, 'username'],
      [{ avatarUrl: 'http://insecure.example.com/a.png' }, 'avatarUrl'],
      [{ name: '' }, 'name'],
      [{ bio: 'x'.repeat(501) }, 'bio'],
    ] as const) {
      const error = await expectError(await patch(cat.client, '/api/me', body), 400, 'VALIDATION');
      expect(error.field).toBe(field);
    }
    const taken = await expectError(
      await patch(cat.client, '/api/me', { username: 'BOB_B' }),
      409,
      'CONFLICT',
    );
    expect(taken.field).toBe('username');
    expect((await expectJson(await cat.client.get('/api/me'), 200)).username).toBeNull();
    await expectError(
      await patch(new HttpClient(inProcess(env.app)), '/api/me', { name: 'x' }),
      401,
      'UNAUTHENTICATED',
    );
  });
});

describe('signing out everywhere', () => {
  it('ends every session of the account, this one included', async () => {
    const dan = await signUp(env.app, 'dan');
    const other = await signUp(env.app, 'other');
    const laptop = new HttpClient(inProcess(env.app, '203.0.113.50'));
    await expectJson(
      await laptop.post('/api/auth/sign-in/email', { email: dan.email, password: newCredentials().password }),
      200,
    );
    await expectJson(await laptop.get('/api/me'), 200);

    expect(await expectJson(await dan.client.post('/api/auth/revoke-sessions'), 200)).toEqual({
      status: true,
    });
    await expectError(await dan.client.get('/api/me'), 401, 'UNAUTHENTICATED');
    await expectError(await laptop.get('/api/me'), 401, 'UNAUTHENTICATED');
    // Another user's sessions are untouched.
    await expectJson(await other.client.get('/api/me'), 200);
    await expectError(await laptop.post('/api/auth/revoke-sessions'), 401, 'UNAUTHENTICATED');
  });
});
