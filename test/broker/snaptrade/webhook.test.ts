import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signSnapTradeWebhook, verifySnapTradeWebhook } from '../../../src/broker/snaptrade/webhook';

const KEY = 'consumer-key-for-tests';
const NOW = new Date('2026-03-02T15:00:00.000Z');

function tradeUpdate(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    webhookId: '6594d898-7377-453b-989e-03545ebde8bf',
    clientId: 'ALERTSIFY',
    eventTimestamp: '2026-03-02T14:59:00.123456+00:00',
    userId: 'user-1',
    eventType: 'TRADE_DETECTION',
    accountId: '917c8734-8470-4a3e-a18f-57c3f2ee6631',
    brokerageAuthorizationId: '87b24961-b51e-4db8-9226-f198f6518a89',
    details: { orders: [{ brokerage_order_id: 'SIM-1', status: 'EXECUTED' }] },
    ...overrides,
  };
}

function verify(rawBody: string, signatureHeader: string | null, consumerKey = KEY, now = NOW) {
  return verifySnapTradeWebhook({ rawBody, signatureHeader, consumerKey, now });
}

describe('signSnapTradeWebhook', () => {
  it('signs the sorted, compact serialisation with base64 HMAC-SHA256 of the consumer key', () => {
    const { body, signature } = signSnapTradeWebhook({
      payload: { userId: 'u', eventType: 'TRADE_UPDATE', details: { z: 1, a: 'é' } },
      consumerKey: KEY,
    });
    // As Python's json.dumps(payload, separators=(",", ":"), sort_keys=True) writes it.
    expect(body).toBe('{"details":{"a":"\\u00e9","z":1},"eventType":"TRADE_UPDATE","userId":"u"}');
    expect(signature).toBe(createHmac('sha256', KEY).update(body).digest('base64'));
  });
});

describe('verifySnapTradeWebhook', () => {
  it('accepts a well signed, fresh TRADE_DETECTION and types it', () => {
    const { body, signature } = signSnapTradeWebhook({ payload: tradeUpdate(), consumerKey: KEY });
    const result = verify(body, signature);
    if (!result.ok) throw new Error(`refused: ${result.reason}`);
    expect(result.event).toMatchObject({
      kind: 'trade_detection',
      type: 'TRADE_DETECTION',
      userId: 'user-1',
      accountId: '917c8734-8470-4a3e-a18f-57c3f2ee6631',
      brokerageAuthorizationId: '87b24961-b51e-4db8-9226-f198f6518a89',
      webhookId: '6594d898-7377-453b-989e-03545ebde8bf',
      details: { orders: [{ brokerage_order_id: 'SIM-1', status: 'EXECUTED' }] },
    });
    expect(result.event.eventTimestamp.toISOString()).toBe('2026-03-02T14:59:00.123Z');
  });

  it('accepts a body re-serialised on the way (whitespace, key order), by its sorted form', () => {
    const payload = tradeUpdate();
    const { signature } = signSnapTradeWebhook({ payload, consumerKey: KEY });
    const reindented = JSON.stringify({ ...payload, userId: payload.userId }, null, 2);
    expect(verify(reindented, signature).ok).toBe(true);
  });

  it('accepts a signature over the raw body', () => {
    const body = JSON.stringify(tradeUpdate());
    const signature = createHmac('sha256', KEY).update(body).digest('base64');
    expect(verify(body, ` ${signature} `).ok).toBe(true);
  });

  it('types other events, and reads the connection they are about', () => {
    const { body, signature } = signSnapTradeWebhook({
      payload: {
        eventType: 'CONNECTION_ADDED',
        userId: 'user-1',
        eventTimestamp: '2026-03-02 14:59:30.000000+00:00',
        brokerageId: 'c8153291-0761-43a8-8ed0-4642103c2cb8',
        connectionId: '868470ff-c2df-41de-b082-9d6f1f207daa',
      },
      consumerKey: KEY,
    });
    const result = verify(body, signature);
    if (!result.ok) throw new Error(`refused: ${result.reason}`);
    expect(result.event).toMatchObject({
      kind: 'other',
      type: 'CONNECTION_ADDED',
      accountId: null,
      brokerageAuthorizationId: '868470ff-c2df-41de-b082-9d6f1f207daa',
      brokerageId: 'c8153291-0761-43a8-8ed0-4642103c2cb8',
    });
  });

  it('types each event SnapTrade sends by what it is about; TRADE_UPDATE is just another type', () => {
    const kindOf = (payload: Record<string, unknown>) => {
      const { body, signature } = signSnapTradeWebhook({ payload: tradeUpdate(payload), consumerKey: KEY });
      const result = verify(body, signature);
      return result.ok ? result.event.kind : result.reason;
    };
    expect(kindOf({ eventType: 'ACCOUNT_HOLDINGS_UPDATED' })).toBe('holdings_updated');
    expect(kindOf({ eventType: 'ACCOUNT_REMOVED' })).toBe('account_removed');
    expect(kindOf({ eventType: 'NEW_ACCOUNT_AVAILABLE' })).toBe('new_account');
    expect(kindOf({ eventType: 'CONNECTION_BROKEN', accountId: undefined })).toBe('connection_broken');
    expect(kindOf({ eventType: 'CONNECTION_FIXED', accountId: undefined })).toBe('connection_fixed');
    expect(kindOf({ eventType: 'CONNECTION_DELETED', accountId: undefined })).toBe('connection_deleted');
    expect(kindOf({ eventType: 'TRADE_UPDATE' })).toBe('other');
    expect(kindOf({ eventType: 'SOMETHING_NEW' })).toBe('other');
    // A connection event that names no connection cannot be acted on.
    expect(kindOf({ eventType: 'CONNECTION_BROKEN', brokerageAuthorizationId: undefined })).toBe('malformed');
  });

  it('refuses a tampered body', () => {
    const { body, signature } = signSnapTradeWebhook({ payload: tradeUpdate(), consumerKey: KEY });
    const tampered = body.replace('917c8734', '00000000');
    expect(verify(tampered, signature)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a signature made with another key, or none', () => {
    const { body, signature } = signSnapTradeWebhook({ payload: tradeUpdate(), consumerKey: 'someone-else' });
    expect(verify(body, signature)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verify(body, null)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verify(body, '')).toEqual({ ok: false, reason: 'bad_signature' });
    const hex = createHmac('sha256', KEY).update(body).digest('hex');
    expect(verify(body, hex)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses events older than 300 seconds (and as far in the future)', () => {
    const at = (iso: string) => {
      const { body, signature } = signSnapTradeWebhook({
        payload: tradeUpdate({ eventTimestamp: iso }),
        consumerKey: KEY,
      });
      return verify(body, signature);
    };
    expect(at('2026-03-02T14:55:00.000000+00:00').ok).toBe(true); // exactly 300 s
    expect(at('2026-03-02T14:54:59.000000+00:00')).toEqual({ ok: false, reason: 'stale' });
    expect(at('2026-03-02T09:59:00.000000-05:00').ok).toBe(true); // offsets count
    expect(at('2026-03-02T15:05:01.000000+00:00')).toEqual({ ok: false, reason: 'stale' });
    const { body, signature } = signSnapTradeWebhook({ payload: tradeUpdate(), consumerKey: KEY });
    expect(
      verifySnapTradeWebhook({
        rawBody: body,
        signatureHeader: signature,
        consumerKey: KEY,
        now: NOW,
        maxAgeSeconds: 30,
      }),
    ).toEqual({
      ok: false,
      reason: 'stale',
    });
  });

  it('refuses malformed payloads even when signed', () => {
    const signRaw = (raw: string) => createHmac('sha256', KEY).update(raw).digest('base64');
    const signed = (payload: Record<string, unknown>) => {
      const { body, signature } = signSnapTradeWebhook({ payload, consumerKey: KEY });
      return verify(body, signature);
    };
    expect(verify('not json', signRaw('not json'))).toEqual({ ok: false, reason: 'malformed' });
    expect(verify('[1,2]', signRaw('[1,2]'))).toEqual({ ok: false, reason: 'malformed' });
    expect(signed(tradeUpdate({ userId: undefined }))).toEqual({ ok: false, reason: 'malformed' });
    expect(signed(tradeUpdate({ eventType: 42 }))).toEqual({ ok: false, reason: 'malformed' });
    expect(signed(tradeUpdate({ eventTimestamp: 'yesterday' }))).toEqual({ ok: false, reason: 'malformed' });
    expect(signed(tradeUpdate({ eventTimestamp: '2026-03-02T14:59:00' }))).toEqual({
      ok: false,
      reason: 'malformed',
    });
    // A trade detection that does not say which account cannot trigger a sync.
    expect(signed(tradeUpdate({ accountId: undefined }))).toEqual({ ok: false, reason: 'malformed' });
  });

  it('does not parse what it cannot authenticate', () => {
    expect(verify('not json', 'c2lnbmF0dXJl')).toEqual({ ok: false, reason: 'bad_signature' });
  });
});
