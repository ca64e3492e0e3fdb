import { expect } from 'vitest';
import type { App } from '../../src/http/app';
import { HttpClient, inProcess, newCredentials, testDatabaseOf } from '../helpers/app';

export type Json = Record<string, unknown>;

/** The JSON body of `res`, after checking its status (the body is shown when it is not). */
export async function expectJson(res: Response, status: number): Promise<Json> {
  const body = (await res.json()) as Json;
  if (res.status !== status)
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

/** The error of a refused request, after checking status and code. */
export async function expectError(
  res: Response,
  status: number,
  code: string,
): Promise<{ code: string; message: string; field?: string; details?: Json }> {
  const body = await expectJson(res, status);
  const error = body.error as { code: string; message: string; field?: string; details?: Json };
  expect(error.code).toBe(code);
  return error;
}

export type Member = { client: HttpClient; id: string; email: string; name: string };

let addressCounter = 0;

/** A new user signed up through the API, with their own browser and client address. */
export async function signUp(app: App, prefix = 'user'): Promise<Member> {
  addressCounter += 1;
  const address = `198.51.${Math.floor(addressCounter / 250) + 1}.${(addressCounter % 250) + 1}`;
  const client = new HttpClient(inProcess(app, address));
  const credentials = newCredentials(prefix);
  const body = await expectJson(await client.post('/api/auth/sign-up/email', credentials), 200);
  const user = body.user as { id: string };
  return { client, id: user.id, email: credentials.email, name: credentials.name };
}

/**
 * Confirm a member's email address the way they would: with the link from the verification email
 * sign-up queued (read from its job, as the worker would send it).
 */
export async function confirmEmail(app: App, member: Pick<Member, 'client' | 'email'>): Promise<void> {
  const { rows } = await testDatabaseOf(app).sql<{ text: string }>(
    `SELECT j.payload->>'text' AS text FROM graphile_worker._private_jobs j
       JOIN graphile_worker._private_tasks k ON k.id = j.task_id
      WHERE k.identifier = 'send-email' AND j.payload->>'to' = $1 AND j.payload->>'text' LIKE '%/verify-email?%'
      ORDER BY j.id DESC LIMIT 1`,
    [member.email],
  );
  const link = /https?:\/\/\S+\/api\/auth\/verify-email\?\S+/.exec(rows[0]?.text ?? '')?.[0];
  if (!link) throw new Error(`no verification email queued for ${member.email}`);
  const url = new URL(link);
  const res = await member.client.get(`${url.pathname}${url.search}`);
  if (res.status !== 302 || res.headers.get('location') !== '/verify-email') {
    throw new Error(`confirming ${member.email} answered ${res.status} → ${res.headers.get('location')}`);
  }
}

/** A new user who confirmed their email and has become a trader through the API. */
export async function signUpTrader(app: App, prefix = 'trader'): Promise<Member> {
  const member = await signUp(app, prefix);
  await confirmEmail(app, member);
  await expectJson(await member.client.post('/api/me/trader'), 200);
  return member;
}

export function patch(client: HttpClient, path: string, json: unknown): Promise<Response> {
  return client.request('PATCH', path, { json });
}
