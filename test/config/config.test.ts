import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

const tempDir = () => mkdtempSync(join(tmpdir(), 'alertsify-config-'));
const KEY = 'a'.repeat(64);

describe('loadConfig', () => {
  it('generates missing secrets outside production, keeps them under the data dir and reuses them', () => {
    const dir = tempDir();
    const first = loadConfig({ DATA_DIR: dir });
    expect(first.authSecret.length).toBeGreaterThanOrEqual(32);
    expect(first.encryptionKey).toMatch(/^[0-9a-f]{64}$/);
    const file = join(dir, 'secrets.json');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o077).toBe(0);
    const second = loadConfig({ DATA_DIR: dir });
    expect(second.authSecret).toBe(first.authSecret);
    expect(second.encryptionKey).toBe(first.encryptionKey);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      AUTH_SECRET: first.authSecret,
      ENCRYPTION_KEY: first.encryptionKey,
    });
  });

  it('refuses to start in production with a secret missing, naming it', () => {
    const dir = tempDir();
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dir, ENCRYPTION_KEY: KEY })).toThrow(
      /AUTH_SECRET/,
    );
    expect(existsSync(join(dir, 'secrets.json'))).toBe(false);
  });

  it('uses given secrets without writing anything', () => {
    const dir = tempDir();
    const config = loadConfig({ DATA_DIR: dir, AUTH_SECRET: 's'.repeat(40), ENCRYPTION_KEY: KEY });
    expect(config.encryptionKey).toBe(KEY);
    expect(existsSync(join(dir, 'secrets.json'))).toBe(false);
  });

  it('reports bad values with the variable at fault', () => {
    const base = { DATA_DIR: tempDir(), AUTH_SECRET: 's'.repeat(40), ENCRYPTION_KEY: KEY };
    expect(() => loadConfig({ ...base, PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ ...base, ENCRYPTION_KEY: 'short' })).toThrow(/ENCRYPTION_KEY/);
    expect(() => loadConfig({ ...base, LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });

  it('defaults to the embedded database and a local URL', () => {
    const config = loadConfig({
      DATA_DIR: tempDir(),
      PORT: '4321',
      AUTH_SECRET: 's'.repeat(40),
      ENCRYPTION_KEY: KEY,
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.publicUrl).toBe('http://localhost:4321');
    expect(config.embeddedPgPort).toBe(54329);
  });
});
