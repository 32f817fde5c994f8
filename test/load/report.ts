import { count } from '../bench/progress.js';
import type { LoadConfig, ScenarioName } from './config.js';
import type { Counts } from './protocol.js';

/** One measured figure: its value, the same run's baseline where one applies, the target. */
export interface Row {
  readonly figure: string;
  readonly value: string;
  readonly baseline?: string;
  readonly target?: string;
  /** Undefined: no target, or it could not be judged. */
  readonly pass?: boolean;
}

export interface ScenarioResult {
  readonly name: ScenarioName;
  readonly title: string;
  readonly rows: readonly Row[];
  /** Further lines: CPU by process, errors by kind, what was sent. */
  readonly notes: readonly string[];
  /** What reproduces it: the scenario's own variables. */
  readonly command: string;
  /** Set when the scenario stopped with an error (its rows are what it measured before). */
  readonly failure?: string;
}

/** Bytes per connection as `7.2 KB` (1 KB = 1,000 bytes). */
export const kb = (bytes: number) =>
  Number.isFinite(bytes) ? `${(bytes / 1000).toFixed(1)} KB` : '-';
export const perSecond = (n: number) => (Number.isFinite(n) ? `${count(n)}/s` : '-');
export const micros = (us: number) => (Number.isFinite(us) ? `${us.toFixed(1)} us` : '-');

/** `http 503: 500, dropped 1006: 2` (largest first), or `none`. */
export function describeCounts(counts: Readonly<Counts>): string {
  const entries = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort(([, a], [, b]) => b - a);
  return entries.length === 0 ? 'none' : entries.map(([k, n]) => `${k}: ${count(n)}`).join(', ');
}

export const totalOf = (counts: Readonly<Counts>) =>
  Object.values(counts).reduce((sum, n) => sum + n, 0);

/** A Markdown table; text columns left, figures right. */
export function markdownTable(rows: readonly Row[]): string {
  const header = ['figure', 'measured', 'baseline (same run)', 'target', 'result'];
  const cells = rows.map((row) => [
    row.figure,
    row.value,
    row.baseline ?? '',
    row.target ?? '',
    row.pass === undefined ? '' : row.pass ? 'PASS' : 'MISS',
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...cells.map((c) => c[i]!.length)),
  );
  const right = (i: number) => i === 1 || i === 2;
  const line = (values: readonly string[]) =>
    `| ${values.map((v, i) => (right(i) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (right(i) ? `${'-'.repeat(w + 1)}:` : `:${'-'.repeat(w + 1)}`)).join('|')}|`;
  return [line(header), rule, ...cells.map(line)].join('\n');
}

export function printScenario(result: ScenarioResult): void {
  console.log(`\n### ${result.title}\n`);
  if (result.rows.length > 0) console.log(`${markdownTable(result.rows)}\n`);
  for (const note of result.notes) console.log(`- ${note}`);
  if (result.failure) console.log(`- FAILED: ${result.failure}`);
  console.log(`- reproduce: \`${result.command}\``);
}

/** `LOAD_SCENARIO=hold LOAD_CONNECTIONS=19000 ... npm run load` from the knobs a scenario reads. */
export function reproduce(
  name: ScenarioName,
  config: LoadConfig,
  knobs: Record<string, string | number>,
): string {
  const common = { LOAD_CLIENTS: config.clients, LOAD_BUILD: config.build };
  const vars = Object.entries({ LOAD_SCENARIO: name, ...knobs, ...common }).map(
    ([key, value]) => `${key}=${String(value).replaceAll(' ', '')}`,
  );
  return `${vars.join(' ')} npm run load`;
}
