import { createRoute, z } from '@hono/zod-openapi';
import { completeSnaptradeConnection } from '../../services/accounts/complete-snaptrade-connection';
import { connectSnaptrade } from '../../services/accounts/connect-snaptrade';
import { createPaperAccount } from '../../services/accounts/create-paper-account';
import { disconnectAccount } from '../../services/accounts/disconnect-account';
import { listAccounts } from '../../services/accounts/list-accounts';
import { reconnectSnaptrade } from '../../services/accounts/reconnect-snaptrade';
import { selectAccount } from '../../services/accounts/select-account';
import { syncBalances } from '../../services/accounts/sync-balances';
import { type AppDeps, createRouter, serviceContext } from '../env';
import { errorResponses } from '../errors';
import { requireAuth } from '../middleware/require-auth';
import { SESSION_SECURITY } from '../openapi';
import { AccountSchema, IdParam, json, serialize } from './schemas';

/** An account as the services return it. */
type Account = Awaited<ReturnType<typeof listAccounts>>[number];

function toAccountView(account: Account) {
  return serialize({
    id: account.id,
    provider: account.provider,
    brokerName: account.brokerName,
    brokerSlug: account.brokerSlug,
    accountNumber: account.accountNumber,
    accountName: account.accountName,
    accountType: account.accountType,
    isSelected: account.isSelected ?? false,
    isActive: account.isActive ?? false,
    needsReconnect: account.needsReconnect,
    reconnectReason: account.reconnectReason,
    readOnly: account.readOnly,
    balance: account.balance,
    buyingPower: account.buyingPower,
    lastSyncAt: account.lastSyncAt,
    createdAt: account.createdAt,
  });
}

export function accountsRouter(deps: AppDeps) {
  const auth = requireAuth(deps);
  const common = { tags: ['accounts'], security: SESSION_SECURITY };

  const list = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'get',
    path: '/accounts',
    operationId: 'listAccounts',
    summary: 'My brokerage accounts',
    responses: {
      200: json(z.object({ accounts: z.array(AccountSchema) }), 'Accounts, oldest first'),
      ...errorResponses('UNAUTHENTICATED'),
    },
  });
  const createPaper = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'post',
    path: '/accounts/paper',
    operationId: 'openPaperAccount',
    summary: 'Open a paper trading account',
    description: 'It becomes the selected account when none is selected.',
    request: {
      body: {
        required: false,
        content: {
          'application/json': {
            schema: z
              .object({
                name: z.string().optional(),
                startingBalance: z.union([z.string(), z.number()]).optional().openapi({ example: '100000' }),
              })
              .openapi('CreatePaperAccount'),
          },
        },
      },
    },
    responses: {
      201: json(AccountSchema, 'The new account'),
      ...errorResponses('VALIDATION', 'UNAUTHENTICATED'),
    },
  });
  const action = (operationId: string, path: string, summary: string) =>
    createRoute({
      ...common,
      middleware: [auth] as const,
      method: 'post',
      path,
      operationId,
      summary,
      request: { params: IdParam },
      responses: {
        200: json(AccountSchema, 'The account'),
        ...errorResponses('UNAUTHENTICATED', 'NOT_FOUND', 'PRECONDITION_FAILED'),
      },
    });

  const connect = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'post',
    path: '/accounts/snaptrade/connect',
    operationId: 'startSnaptradeConnection',
    summary: 'Start connecting a brokerage through SnapTrade: the Connection Portal link',
    description:
      'The portal sends the browser back to /api/accounts/snaptrade/callback unless redirectUrl is given.',
    request: {
      body: {
        required: false,
        content: { 'application/json': { schema: z.object({ redirectUrl: z.string().optional() }) } },
      },
    },
    responses: {
      200: json(z.object({ url: z.string() }), 'Where to send the user'),
      ...errorResponses('VALIDATION', 'UNAUTHENTICATED', 'PRECONDITION_FAILED'),
    },
  });
  const callback = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'get',
    path: '/accounts/snaptrade/callback',
    operationId: 'completeSnaptradeConnection',
    summary: 'Where the Connection Portal returns: adds the connected accounts, then opens the app',
    responses: { 302: { description: 'Back to the web app' }, ...errorResponses('UNAUTHENTICATED') },
  });
  const refreshConnections = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'post',
    path: '/accounts/snaptrade/refresh',
    operationId: 'refreshSnaptradeAccounts',
    summary: 'Add or update the accounts of my SnapTrade connections',
    responses: {
      200: json(z.object({ accounts: z.array(AccountSchema) }), 'The SnapTrade accounts'),
      ...errorResponses('UNAUTHENTICATED', 'PRECONDITION_FAILED'),
    },
  });

  const reconnect = createRoute({
    ...common,
    middleware: [auth] as const,
    method: 'post',
    path: '/accounts/{id}/reconnect',
    operationId: 'reconnectSnaptradeAccount',
    summary:
      'Repair a broken SnapTrade connection: the Connection Portal link (same connection and accounts)',
    description:
      'The portal sends the browser back to /api/accounts/snaptrade/callback unless redirectUrl is given.',
    request: {
      params: IdParam,
      body: {
        required: false,
        content: { 'application/json': { schema: z.object({ redirectUrl: z.string().optional() }) } },
      },
    },
    responses: {
      200: json(z.object({ url: z.string() }), 'Where to send the user'),
      ...errorResponses('VALIDATION', 'UNAUTHENTICATED', 'NOT_FOUND', 'PRECONDITION_FAILED'),
    },
  });

  const selectRoute = action('selectAccount', '/accounts/{id}/select', 'Make this the account orders go to');
  const syncRoute = action(
    'syncAccount',
    '/accounts/{id}/sync',
    'Refresh balance and buying power from the broker',
  );
  const disconnectRoute = action(
    'disconnectAccount',
    '/accounts/{id}/disconnect',
    'Stop using this account (history stays)',
  );

  return createRouter()
    .openapi(connect, async (c) => {
      const body = c.req.valid('json') ?? {};
      const redirectUrl = body.redirectUrl ?? `${deps.config.publicUrl}/api/accounts/snaptrade/callback`;
      const link = await connectSnaptrade({
        ctx: serviceContext(deps, c),
        deps: deps.trading,
        input: { redirectUrl },
      });
      return c.json(link, 200);
    })
    .openapi(reconnect, async (c) => {
      const body = c.req.valid('json') ?? {};
      const link = await reconnectSnaptrade({
        ctx: serviceContext(deps, c),
        deps: deps.trading,
        input: {
          accountId: c.req.valid('param').id,
          redirectUrl: body.redirectUrl ?? `${deps.config.publicUrl}/api/accounts/snaptrade/callback`,
        },
      });
      return c.json(link, 200);
    })
    .openapi(callback, async (c) => {
      const added = await completeSnaptradeConnection({ ctx: serviceContext(deps, c), deps: deps.trading });
      return c.redirect(`/#/accounts?connected=${added.length}`, 302);
    })
    .openapi(refreshConnections, async (c) => {
      const accounts = await completeSnaptradeConnection({
        ctx: serviceContext(deps, c),
        deps: deps.trading,
      });
      return c.json({ accounts: accounts.map(toAccountView) }, 200);
    })
    .openapi(list, async (c) => {
      const accounts = await listAccounts({ ctx: serviceContext(deps, c) });
      return c.json({ accounts: accounts.map(toAccountView) }, 200);
    })
    .openapi(createPaper, async (c) => {
      const body = c.req.valid('json');
      const account = await createPaperAccount({ ctx: serviceContext(deps, c), input: body ?? {} });
      return c.json(toAccountView(account), 201);
    })
    .openapi(selectRoute, async (c) => {
      const account = await selectAccount({
        ctx: serviceContext(deps, c),
        input: { accountId: c.req.valid('param').id },
      });
      return c.json(toAccountView(account), 200);
    })
    .openapi(syncRoute, async (c) => {
      const account = await syncBalances({
        ctx: serviceContext(deps, c),
        deps: deps.trading,
        input: { accountId: c.req.valid('param').id },
      });
      return c.json(toAccountView(account), 200);
    })
    .openapi(disconnectRoute, async (c) => {
      const account = await disconnectAccount({
        ctx: serviceContext(deps, c),
        input: { accountId: c.req.valid('param').id },
      });
      return c.json(toAccountView(account), 200);
    });
}
