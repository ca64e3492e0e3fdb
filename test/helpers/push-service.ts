/**
 * A push service for tests, standing where Google's or Mozilla's would (RFC 8030): it receives
 * the server's real request, checks its VAPID authorisation (RFC 8292: an ES256 JWT over P-256,
 * signed by the key the server publishes), decrypts its aes128gcm body (RFC 8291) with the
 * browser's private key and auth secret, and answers what the test asks for (201 by default).
 * `browser()` makes the key pair and secret a browser would, and its subscription.
 */
import { createECDH, createPublicKey, type ECDH, randomBytes, verify } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decrypt } from 'http_ece';

export type Browser = {
  ecdh: ECDH;
  authSecret: string;
  subscription: { endpoint: string; expirationTime: null; keys: { p256dh: string; auth: string } };
};

export type ReceivedPush = {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The VAPID JWT's claims, and whether its signature verified against `k` of the header. */
  jwt: { header: Record<string, unknown>; claims: Record<string, unknown>; verified: boolean; key: string };
  /** The decrypted payload (null when no browser of this service has that path). */
  payload: string | null;
  answered: number;
};

export type PushService = {
  origin: string;
  received: ReceivedPush[];
  /** A browser whose subscription points at this service. */
  browser(): Browser;
  /** The next answers, in order (then 201 again); headers such as Retry-After with them. */
  answerNext(...answers: Array<{ status: number; headers?: Record<string, string> }>): void;
  close(): Promise<void>;
};

/** Verify an ES256 JWT (signature r‖s) against an uncompressed P-256 point, URL-safe base64. */
function verifyVapidJwt(token: string, publicKey: string): ReceivedPush['jwt'] {
  const [headerPart = '', claimsPart = '', signaturePart = ''] = token.split('.');
  const decode = (part: string) =>
    JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  const point = Buffer.from(publicKey, 'base64url');
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
  const verified = verify(
    'sha256',
    Buffer.from(`${headerPart}.${claimsPart}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signaturePart, 'base64url'),
  );
  return { header: decode(headerPart), claims: decode(claimsPart), verified, key: publicKey };
}

export async function startPushService(): Promise<PushService> {
  const browsers = new Map<string, Browser>();
  const received: ReceivedPush[] = [];
  const answers: Array<{ status: number; headers?: Record<string, string> }> = [];
  let counter = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      // Authorization: vapid t=<jwt>, k=<public key>
      const authorization = String(request.headers.authorization ?? '');
      const token = /t=([^,\s]+)/.exec(authorization)?.[1] ?? '';
      const key = /k=([^,\s]+)/.exec(authorization)?.[1] ?? '';
      const path = request.url ?? '';
      const browser = browsers.get(path);
      const answer = answers.shift() ?? { status: 201 };
      received.push({
        path,
        headers: request.headers,
        jwt: token && key ? verifyVapidJwt(token, key) : { header: {}, claims: {}, verified: false, key },
        payload: browser
          ? decrypt(body, {
              version: 'aes128gcm',
              privateKey: browser.ecdh,
              authSecret: browser.authSecret,
            }).toString('utf8')
          : null,
        answered: answer.status,
      });
      response.writeHead(answer.status, answer.headers ?? {});
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    received,
    browser() {
      counter += 1;
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const authSecret = randomBytes(16).toString('base64url');
      const path = `/push/browser-${counter}`;
      const browser: Browser = {
        ecdh,
        authSecret,
        subscription: {
          endpoint: `${origin}${path}`,
          expirationTime: null,
          keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: authSecret },
        },
      };
      browsers.set(path, browser);
      return browser;
    },
    answerNext(...next) {
      answers.push(...next);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
