/**
 * `npm run dev`: the API restarting on every server change (`tsx watch src/main.ts`, on its
 * usual port) and the web app from Vite's dev server with hot reload, which forwards `/api` to
 * it. Open the Vite address; Ctrl-C stops both.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createServer } from 'vite';
import { PROJECT_ROOT } from '../data-dir';
import { WEB_ROOT } from '../web-build';

const api = spawn(
  process.execPath,
  [join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'watch', 'src/main.ts'],
  {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
  },
);
const web = await createServer({ configFile: join(WEB_ROOT, 'vite.config.ts') });
await web.listen();
web.printUrls();
console.log('The API restarts on server changes; the web app reloads in place. Open the address above.');

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  api.kill('SIGINT');
  await web.close();
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
api.once('exit', (code) => {
  void stop().then(() => process.exit(code ?? 0));
});
