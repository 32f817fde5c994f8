import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;
const check = (...args: string[]) =>
  execFileSync(process.execPath, ['proto/generate.mjs', '--check', ...args], {
    cwd: root,
    encoding: 'utf8',
    stdio: 'pipe',
  });

describe('generated code', () => {
  const copy = mkdtempSync(join(tmpdir(), 'presence-codegen-'));
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('matches proto/ (regenerate with `npm run gen`)', () => {
    expect(check()).toContain('generated code is current');
  });

  it('is reported stale, naming the file, when it differs from proto/', () => {
    cpSync(join(root, 'libs/contracts/src/generated'), copy, { recursive: true });
    appendFileSync(join(copy, 'presence/v1/presence.ts'), '\n// hand edit\n');
    expect(() => check(`--target=${copy}`)).toThrowError(/stale \(presence\/v1\/presence\.ts\)/);
  });
});
