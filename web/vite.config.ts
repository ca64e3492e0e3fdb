import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tanstackRouter } from '@tanstack/router-plugin/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

/** The API the dev server forwards `/api` to: the Node server `npm run dev` starts (on PORT). */
const API_TARGET = `http://localhost:${process.env.PORT ?? '3000'}`;

export default defineConfig({
  root: webRoot,
  plugins: [
    // Routes are the files under src/routes; each route's component loads with its own chunk.
    // Paths are absolute: the build runs from the repository root, not from web/.
    tanstackRouter({
      target: 'react',
      autoCodeSplitting: true,
      routesDirectory: join(webRoot, 'src', 'routes'),
      generatedRouteTree: join(webRoot, 'src', 'routeTree.gen.ts'),
      quoteStyle: 'single',
      semicolons: true,
      disableLogging: true,
    }),
    react(),
  ],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // Which files each route loads: `npm run build` sums the sign-in route's initial JavaScript from it.
    manifest: true,
  },
  server: {
    proxy: {
      '/api': {
        target: API_TARGET,
        configure: (proxy) => {
          // better-auth refuses a POST whose Origin is not its public URL. A page served by this
          // dev server is same-origin with it, so present that request as same-origin with the
          // API; any other origin passes through unchanged and is refused as it would be in production.
          proxy.on('proxyReq', (proxyReq, req) => {
            const origin = req.headers.origin;
            if (origin && URL.canParse(origin) && new URL(origin).host === req.headers.host) {
              proxyReq.setHeader('origin', API_TARGET);
            }
          });
        },
      },
    },
  },
});
