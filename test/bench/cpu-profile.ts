import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) that a summary needs. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** `node_modules/@nats-io/nats-core/...` -> `@nats-io/nats-core`; repo files -> their folder. */
function areaOf(url: string, name: string): string {
  if (url === '') return name.startsWith('(') ? name : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  const repo = /\/((?:services|libs|test)\/.+)\/[^/]+$/.exec(url);
  if (repo) return repo[1]!;
  return url.startsWith('node:') ? 'node:internal' : url;
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\//, '').replace(/^.*?\/(node_modules|services|libs|test)\//, '$1/');
}

const percent = (part: number, total: number) =>
  `${((part / total) * 100).toFixed(1)}%`.padStart(6);

/** Top functions and areas (packages, source folders) by self time. */
export function summarizeCpuProfile(file: string, top = 15): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id);
    const micros = profile.timeDeltas[i] ?? 0;
    if (!frame || frame.functionName === '(idle)') return;
    total += micros;
    const name = frame.functionName || '(anonymous)';
    const key = frame.url ? `${name} ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : name;
    functions.set(key, (functions.get(key) ?? 0) + micros);
    const area = areaOf(frame.url, name);
    areas.set(area, (areas.get(area) ?? 0) + micros);
  });
  const ranked = (map: Map<string, number>) => [...map].sort(([, a], [, b]) => b - a).slice(0, top);
  return [
    `${file}: ${(total / 1e6).toFixed(1)} s on CPU (idle excluded)`,
    '  self time by area:',
    ...ranked(areas).map(([area, micros]) => `    ${percent(micros, total)}  ${area}`),
    '  self time by function:',
    ...ranked(functions).map(([key, micros]) => `    ${percent(micros, total)}  ${key}`),
  ];
}

/** The main thread's profile in a `--cpu-prof-dir`: the largest file (worker threads write less). */
export function mainProfileIn(dir: string): string | undefined {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith('.cpuprofile'))
      .map((name) => join(dir, name))
      .sort((a, b) => statSync(b).size - statSync(a).size)[0];
  } catch {
    return undefined;
  }
}
