/**
 * The stand-in Connection Portal (`GET /portal`, `POST /portal/connect`, not part of the API):
 * `Authentication_loginSnapTradeUser` opens a session, and its page has one button that connects
 * a simulated brokerage account (or, opened with `reconnect=<connection id>`, repairs that broken
 * connection, keeping its connection and account ids), then sends the user back.
 */
import type { SimulatedBrokerage } from './brokerage';
import type { SimulatorIds } from './ids';

export type PortalPage = { status: number; body: string; headers: Record<string, string> };

type PortalSession = {
  userId: string;
  redirect: string | null;
  broker: string | null;
  /** `reconnect`: the broken connection the user repairs (same connection, same accounts). */
  reconnect: string | null;
};

export const PORTAL_PATHS: readonly string[] = ['/portal', '/portal/connect'];

export type Portal = {
  /** A session for `userId`; answers the spec's login response (`redirectURI`, `sessionId`). */
  openSession(session: PortalSession, baseUrl: string): { redirectURI: string; sessionId: string };
  /** Serves one of `PORTAL_PATHS`. */
  serve(method: string, path: string, query: URLSearchParams, rawBody: string): PortalPage;
};

export function createPortal({
  brokerage,
  ids,
  clientId,
  portalCash,
}: {
  brokerage: SimulatedBrokerage;
  ids: SimulatorIds;
  clientId: string;
  /** Cash of the accounts it connects; the brokerage's default unless given. */
  portalCash: string | undefined;
}): Portal {
  const sessions = new Map<string, PortalSession>();
  const unknownSession = (): PortalPage => ({
    status: 404,
    body: '<p>Unknown or expired portal session.</p>',
    headers: {},
  });

  return {
    openSession(session, baseUrl) {
      const sessionId = ids.uuid();
      sessions.set(sessionId, session);
      const redirectURI = `${baseUrl}/portal?sessionId=${sessionId}&clientId=${encodeURIComponent(clientId)}&connectionPortalVersion=v4`;
      return { redirectURI, sessionId };
    },

    serve(method, path, query, rawBody) {
      if (method === 'GET' && path === '/portal') {
        const sessionId = query.get('sessionId') ?? '';
        const session = sessions.get(sessionId);
        if (!session) return unknownSession();
        if (session.reconnect) {
          return {
            status: 200,
            headers: {},
            body: `<!doctype html><title>SnapTrade simulator</title><h1>Reconnect your brokerage (simulated)</h1>
<form method="post" action="/portal/connect"><input type="hidden" name="sessionId" value="${escapeHtml(sessionId)}">
<button type="submit">Reconnect</button></form>`,
          };
        }
        const broker = escapeHtml(session.broker ?? 'ALPACA');
        return {
          status: 200,
          headers: {},
          body: `<!doctype html><title>SnapTrade simulator</title><h1>Connect a brokerage (simulated)</h1>
<p>User ${escapeHtml(session.userId)} connects a simulated ${broker} account.</p>
<form method="post" action="/portal/connect"><input type="hidden" name="sessionId" value="${escapeHtml(sessionId)}">
<button type="submit">Connect ${broker}</button></form>`,
        };
      }
      if (method === 'POST' && path === '/portal/connect') {
        const sessionId = new URLSearchParams(rawBody).get('sessionId') ?? '';
        const session = sessions.get(sessionId);
        if (!session || !brokerage.users.has(session.userId)) return unknownSession();
        sessions.delete(sessionId);
        const repairing = session.reconnect ? brokerage.authorizations.get(session.reconnect) : undefined;
        if (repairing && repairing.userId === session.userId) {
          brokerage.setConnectionDisabled(repairing.id, false);
          if (session.redirect) return { status: 302, body: '', headers: { Location: session.redirect } };
          return { status: 200, headers: {}, body: '<p>Reconnected. You can close this window.</p>' };
        }
        const connected = brokerage.connectAccount({
          userId: session.userId,
          ...(session.broker ? { brokerSlug: session.broker } : {}),
          ...(portalCash ? { cash: portalCash } : {}),
        });
        if (session.redirect) return { status: 302, body: '', headers: { Location: session.redirect } };
        return {
          status: 200,
          headers: {},
          body: `<p>Connected: account ${escapeHtml(connected.accountId)}. You can close this window.</p>`,
        };
      }
      return { status: 404, body: '<p>Not found.</p>', headers: {} };
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
