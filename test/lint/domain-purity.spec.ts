import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const fixture = (name: string) =>
  new URL(`./fixtures/src/domain/${name}`, import.meta.url).pathname;

/** Lints a fixture with the workspace's real ESLint config (fixtures are ignored by normal lint runs). */
async function lint(name: string): Promise<ESLint.LintResult> {
  const eslint = new ESLint({ cwd: root, ignore: false });
  const [result] = await eslint.lintFiles([fixture(name)]);
  return result!;
}

describe('src/domain purity rules', () => {
  it('reject I/O imports, the clock, randomness, the environment and timers', async () => {
    const result = await lint('impure.ts');
    const byRule = (rule: string) =>
      result.messages.filter((m) => m.ruleId === rule).map((m) => m.line);
    expect(byRule('no-restricted-imports')).toEqual([2, 3, 4, 5, 6]);
    expect(byRule('no-restricted-syntax')).toEqual([15, 16, 17]);
    expect(byRule('no-restricted-globals')).toEqual([18, 19]);
    expect(result.messages.find((m) => m.line === 15)?.message).toMatch(/never reads the clock/);
  });

  it('accept pure code (ids, time that arrives as data)', async () => {
    const result = await lint('pure.ts');
    expect(result.messages).toEqual([]);
  });
});
