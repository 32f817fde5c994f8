// What `npm test` runs (see test.mjs), which steps PRESENCE_TEST_STEPS selects, and the summary.

// The workspace's own binaries, run directly: npx would download a missing tool, and npm's
// argument parser swallows some flags meant for it (`npx prettier --check .` lost `--check`).
const bin = (tool, ...args) => ({
  file: `node_modules/.bin/${tool}`,
  args,
  shown: `${tool} ${args.join(' ')}`,
});

/**
 * @typedef {{ name: string, what: string, file: string, args: string[], shown: string, needsDatabase?: boolean }} TestStep
 */

/**
 * The steps of `npm test`, in order; `vitestArgs` (after `npm test --`) go to vitest.
 * @param {string[]} vitestArgs
 * @returns {TestStep[]}
 */
export function testSteps(vitestArgs) {
  return [
    { name: 'sync', what: 'Nx workspace is in sync', ...bin('nx', 'sync:check') },
    { name: 'format', what: 'code is formatted (prettier)', ...bin('prettier', '--check', '.') },
    {
      name: 'static',
      what: 'typecheck and lint',
      ...bin('nx', 'run-many', '-t', 'typecheck', 'lint', '--outputStyle=stream', '--parallel=2'),
    },
    {
      name: 'vitest',
      what: 'unit, integration and e2e tests',
      ...bin('vitest', 'run', ...vitestArgs),
      needsDatabase: true,
    },
  ];
}

/**
 * The steps named in `spec` (a comma list such as "static,vitest"), or all when it is unset.
 * @param {TestStep[]} steps
 * @param {string | undefined} spec
 */
export function selectSteps(steps, spec) {
  const wanted = spec
    ?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (!wanted) return steps;
  const unknown = wanted.filter((name) => !steps.some((step) => step.name === name));
  if (unknown.length > 0) {
    const known = steps.map(({ name }) => name).join(', ');
    throw new Error(`PRESENCE_TEST_STEPS: unknown step ${unknown.join(', ')}; steps are ${known}`);
  }
  return steps.filter(({ name }) => wanted.includes(name));
}

/**
 * One line per step: result, duration, command.
 * @param {TestStep[]} steps
 * @param {Map<string, { status: string, seconds?: number }>} results
 * @param {Record<string, (text: string) => string>} paint
 */
export function summaryTable(steps, results, paint) {
  const rows = steps.map(({ name, shown }) => {
    const result = results.get(name) ?? { status: 'skipped' };
    const color = { passed: paint.green, FAILED: paint.red }[result.status] ?? paint.gray;
    const time = result.seconds === undefined ? '' : `${result.seconds.toFixed(1)} s`;
    return `  ${name.padEnd(8)} ${color(result.status.padEnd(8))} ${time.padStart(8)}  ${paint.gray(shown)}`;
  });
  return `\n${paint.bold('Summary')}\n${rows.join('\n')}\n`;
}
