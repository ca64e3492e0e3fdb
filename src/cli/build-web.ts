/**
 * `npm run build` (and `npm run build:web`): build the web app now, whatever the state of
 * `web/dist`, and print what a first visit to the sign-in page downloads; over budget fails.
 */
import { ensureWebBuild, WEB_DIST } from '../web-build';
import { INITIAL_JS_BUDGET_BYTES, initialJsOf, kilobytes } from './web-size';

await ensureWebBuild({ force: true });
console.log(`web app built into ${WEB_DIST}`);
const signIn = initialJsOf('sign-in.tsx');
const verdict = signIn.gzipBytes <= INITIAL_JS_BUDGET_BYTES ? 'within' : 'OVER';
console.log(
  `initial JavaScript of the sign-in route: ${kilobytes(signIn.gzipBytes)} gzipped in ${signIn.files.length} files ` +
    `(${verdict} the ${kilobytes(INITIAL_JS_BUDGET_BYTES)} budget)`,
);
if (signIn.gzipBytes > INITIAL_JS_BUDGET_BYTES) process.exitCode = 1;
