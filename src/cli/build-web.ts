/** `npm run build:web`: build the web app now, whatever the state of `web/dist`. */
import { ensureWebBuild, WEB_DIST } from '../web-build';

await ensureWebBuild({ force: true });
console.log(`web app built into ${WEB_DIST}`);
