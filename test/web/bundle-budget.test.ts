/**
 * The production build (made by the global setup, as `npm start` makes it) keeps the sign-in
 * route's initial JavaScript under its budget, and splits the signed-in pages out of it.
 */
import { describe, expect, it } from 'vitest';
import { INITIAL_JS_BUDGET_BYTES, initialJsOf } from '../../src/cli/web-size';

describe('the web app’s initial JavaScript', () => {
  it('stays under 250 KB gzipped for the sign-in route', () => {
    const signIn = initialJsOf('sign-in.tsx');
    expect(signIn.gzipBytes).toBeGreaterThan(0);
    expect(signIn.gzipBytes).toBeLessThanOrEqual(INITIAL_JS_BUDGET_BYTES);
  });

  it('loads a signed-in page’s code only with that page', () => {
    const signIn = initialJsOf('sign-in.tsx');
    const trade = initialJsOf('_app/trade.tsx');
    const tradeOnly = trade.files.filter((file) => !signIn.files.includes(file));
    expect(tradeOnly.some((file) => file.includes('trade'))).toBe(true);
    expect(signIn.files.some((file) => file.includes('trade'))).toBe(false);
  });
});
