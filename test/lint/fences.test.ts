/**
 * The layer fences in biome.json hold: a file that breaks one fails `biome check`, the command
 * `npm run lint` runs, with the restricted-import diagnostic; the imports each layer is meant to
 * use pass. Each probe is written where the fence applies and removed afterwards.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const biome = join(root, 'node_modules', '.bin', 'biome');
const run = promisify(execFile);

/** `biome check` on a probe file at `dir` (relative to the repository) holding `source`. */
async function checkProbe(dir: string, source: string): Promise<{ ok: boolean; output: string }> {
  const file = join(dir, `fence-probe-${randomBytes(4).toString('hex')}.ts`);
  await writeFile(join(root, file), source);
  try {
    const { stdout, stderr } = await run(biome, ['check', '--colors=off', file], { cwd: root });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  } finally {
    await rm(join(root, file), { force: true });
  }
}

const broken: [string, string, string, string][] = [
  [
    'HTTP imports drizzle-orm',
    'src/http/routes',
    "import { eq } from 'drizzle-orm';\n\nexport const probe = eq;\n",
    'Fence: HTTP',
  ],
  [
    'HTTP imports the database layer',
    'src/http',
    "import type { Database } from '../db/client';\n\nexport type Probe = Database;\n",
    'Fence: HTTP',
  ],
  [
    'HTTP imports the schema',
    'src/http/routes',
    "import { trades } from '../../db/schema';\n\nexport const probe = trades;\n",
    'Fence: HTTP',
  ],
  [
    'the domain reads a file',
    'src/domain',
    "import { readFileSync } from 'node:fs';\n\nexport const probe = readFileSync;\n",
    'Fence: src/domain is pure',
  ],
  [
    'the domain opens a connection',
    'src/domain',
    "import { connect } from 'node:net';\n\nexport const probe = connect;\n",
    'Fence: src/domain is pure',
  ],
  [
    'the domain runs a process',
    'src/domain',
    "import { spawn } from 'node:child_process';\n\nexport const probe = spawn;\n",
    'Fence: src/domain is pure',
  ],
  [
    'the domain queries the database',
    'src/domain',
    "import pg from 'pg';\n\nexport const probe = pg;\n",
    'Fence: src/domain is pure',
  ],
  [
    'the domain imports the database layer',
    'src/domain',
    "import { trades } from '../db/schema';\n\nexport const probe = trades;\n",
    'Fence: src/domain imports only other domain modules',
  ],
  [
    'the web app imports server code',
    'web/src',
    "import { createApp } from '../../src/http/app';\n\nexport const probe = createApp;\n",
    'Fence: the web app',
  ],
  [
    'the web app imports a domain module other than the shared types',
    'web/src/components',
    "import type { OrderType } from '../../../src/domain/vocabulary';\n\nexport type Probe = OrderType;\n",
    'Fence: the web app',
  ],
];

describe('a file breaking a fence fails the lint', () => {
  it.each(broken)('%s', async (_name, dir, source, message) => {
    const result = await checkProbe(dir, source);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('lint/style/noRestrictedImports');
    expect(result.output).toContain(message);
  });

  it('the web app imports the shared types without `import type`', async () => {
    const result = await checkProbe(
      'web/src',
      "import { OrderStatus } from '../../src/domain/shared-types';\n\nexport type Probe = OrderStatus;\n",
    );
    expect(result.ok).toBe(false);
    expect(result.output).toContain('lint/style/useImportType');
  });
});

describe('what each layer is meant to import passes', () => {
  const allowed: [string, string, string][] = [
    [
      'HTTP holds the database handle through the services',
      'src/http',
      "import type { Database } from '../services/context';\n\nexport type Probe = Database;\n",
    ],
    [
      'the domain uses other domain modules and decimal.js',
      'src/domain',
      "import Decimal from 'decimal.js';\nimport { ORDER_TYPES } from './vocabulary';\n\nexport const probe = [Decimal, ORDER_TYPES];\n",
    ],
    [
      'the web app imports the shared types with `import type`',
      'web/src',
      "import type { OrderStatus } from '../../src/domain/shared-types';\n\nexport type Probe = OrderStatus;\n",
    ],
  ];
  it.each(allowed)('%s', async (_name, dir, source) => {
    const result = await checkProbe(dir, source);
    expect(result.output).not.toContain('lint/');
    expect(result.ok).toBe(true);
  });
});
