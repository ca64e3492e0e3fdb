/**
 * The OpenAPI document, as the app generates it, passes Redocly's `recommended` rules with no
 * error and no warning. The findings accepted on purpose are listed below with why, and handed
 * to the linter as its ignore file; one that no longer occurs fails the test, so the list
 * cannot go stale.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { fetchOpenApiDocument } from '../helpers/security';

/** Findings of the recommended rules that are right for this API, each with its reason. */
const ACCEPTED: Array<{ rule: string; pointer: string; why: string }> = [
  {
    rule: 'info-license',
    pointer: '#/info',
    why: 'A private product: no licence is granted, so the document states none.',
  },
  {
    rule: 'operation-4xx-response',
    pointer: '#/paths/~1api~1health/get/responses',
    why: 'Health takes no input and no session: it answers 200 or 503, never a 4xx.',
  },
  {
    rule: 'operation-2xx-response',
    pointer: '#/paths/~1api~1accounts~1snaptrade~1callback/get/responses',
    why: "The Connection Portal's browser redirect: success is the 302 back to the web app.",
  },
];

type LintReport = {
  totals: { errors: number; warnings: number; ignored: number };
  problems: Array<{
    ruleId: string;
    severity: string;
    message: string;
    location: Array<{ pointer: string }>;
  }>;
};

const t = useTestDatabase();
const workDir = mkdtempSync(join(tmpdir(), 'alertsify-openapi-lint-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** Redocly's CLI from node_modules, run by this Node; its exit code says only "problems found". */
function redocly(args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  const cli = join(
    dirname(createRequire(import.meta.url).resolve('@redocly/cli/package.json')),
    'bin/cli.js',
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      {
        cwd,
        // Nothing leaves the machine: no usage report, no update check.
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true' },
        maxBuffer: 16 * 1024 * 1024,
      },
      (_error, stdout, stderr) => resolve({ stdout, stderr }),
    );
  });
}

describe('the OpenAPI document', () => {
  it("passes Redocly's recommended rules: no error, no warning", async () => {
    const { app } = buildTestApp(t);
    const document = await fetchOpenApiDocument(app);
    writeFileSync(join(workDir, 'openapi.json'), JSON.stringify(document, null, 2));
    // Redocly's ignore file, keyed by the linted file's name, then rule, then JSON pointer.
    const ignore: Record<string, string[]> = {};
    for (const { rule, pointer } of ACCEPTED) ignore[rule] = [...(ignore[rule] ?? []), pointer];
    writeFileSync(join(workDir, '.redocly.lint-ignore.yaml'), stringify({ 'openapi.json': ignore }));

    const { stdout, stderr } = await redocly(
      ['lint', 'openapi.json', '--extends', 'recommended', '--format', 'json'],
      workDir,
    );
    let report: LintReport;
    try {
      report = JSON.parse(stdout) as LintReport;
    } catch {
      throw new Error(`redocly printed no JSON report:\n${stdout}\n${stderr}`);
    }
    const found = report.problems.map(
      (problem) =>
        `${problem.severity} ${problem.ruleId} at ${problem.location[0]?.pointer ?? '?'}: ${problem.message}`,
    );
    expect(found).toEqual([]);
    expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: ACCEPTED.length });
  });
});
