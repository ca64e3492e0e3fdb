/**
 * Refusals as SnapTrade answers them: an HTTP status and the spec's error body
 * (`default_detail`, `default_code`). The brokerage throws them too: a refused order comes back
 * from SnapTrade as a 400 with the brokerage's message.
 */
export class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.default_detail === 'string' ? body.default_detail : `HTTP ${status}`);
  }
}

export const badRequest = (detail: string, code = 1076) =>
  new HttpFailure(400, { default_detail: detail, default_code: code });
export const unauthorized = (detail: string, code = 1076) =>
  new HttpFailure(401, { default_detail: detail, default_code: code });
export const notFound = (detail = 'The requested resource does not exist.') =>
  new HttpFailure(404, { default_detail: detail, default_code: 1011 });
