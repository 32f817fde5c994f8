import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@presence/local';
import { spawnNode, type NodeChild } from './child-process.js';
import type { BenchConfig } from './config.js';
import type { BenchServers } from './servers.js';

/**
 * The presence-aggregator as a black box: its process (started from sources exactly as
 * test/support/services.ts does), its HTTP endpoints and its `rebuild` command.
 */
export interface AggregatorProcess {
  readonly child: NodeChild;
  readonly httpUrl: string;
  /** Sum of a Prometheus counter or gauge over its labels, or undefined when it is not exposed. */
  metric(name: string): Promise<number | undefined>;
}

/** The service's entry point in the build the bench measures (see BENCH_AGGREGATOR_BUILD). */
function entry(config: BenchConfig): { script: string; compiled: boolean } {
  return config.aggregatorBuild === 'dist'
    ? { script: 'services/presence-aggregator/dist/main.js', compiled: true }
    : { script: 'services/presence-aggregator/src/main.ts', compiled: false };
}

/** `dist`: builds the aggregator and the libraries it uses (Nx caches what did not change). */
export function buildAggregator(config: BenchConfig): void {
  if (config.aggregatorBuild !== 'dist') return;
  execFileSync('npx', ['nx', 'run', 'presence-aggregator:build', '--outputStyle=static'], {
    cwd: config.aggregatorRoot,
    env: { ...process.env, NX_DAEMON: 'false' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

function aggregatorEnv(config: BenchConfig, servers: BenchServers): Record<string, string> {
  return {
    NATS_URL: servers.natsUrl,
    DATABASE_URL: servers.databaseUrl,
    PRESENCE_PARTITIONS: String(config.partitions),
    LOG_LEVEL: config.aggregatorLogLevel,
    AGGREGATOR_GRPC_PORT: '0',
    AGGREGATOR_HTTP_PORT: '0',
  };
}

/** The service's own Node.js flags (package.json `presence.nodeArgs`), then profiling's. */
function nodeArgs(config: BenchConfig, name: string): string[] {
  const manifest = JSON.parse(
    readFileSync(join(config.aggregatorRoot, 'services/presence-aggregator/package.json'), 'utf8'),
  ) as { presence?: { nodeArgs?: string[] } };
  const profile =
    config.cpuProfileDir === undefined
      ? []
      : ['--cpu-prof', '--cpu-prof-dir', join(config.cpuProfileDir, name)];
  return [...(manifest.presence?.nodeArgs ?? []), ...profile];
}

/** Starts the service and resolves once `/readyz` answers 200 (or fails with its output). */
export async function startAggregator(
  config: BenchConfig,
  servers: BenchServers,
): Promise<AggregatorProcess> {
  const httpPort = await freePort();
  const child = spawnNode({
    name: 'presence-aggregator',
    ...entry(config),
    cwd: config.aggregatorRoot,
    env: { ...aggregatorEnv(config, servers), AGGREGATOR_HTTP_PORT: String(httpPort) },
    nodeArgs: nodeArgs(config, 'live'),
    logFile: join(config.logDir, 'aggregator.log'),
  });
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 60_000;
  let exitCode: number | null | undefined;
  void child.exited.then((code) => (exitCode = code));
  for (;;) {
    if (exitCode !== undefined)
      throw new Error(
        `presence-aggregator exited (${exitCode}) before it was ready:\n${child.output()}`,
      );
    const ready = await fetch(`${httpUrl}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await child.stop(1000);
      throw new Error(`presence-aggregator was not ready within 60 s:\n${child.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    httpUrl,
    async metric(name) {
      const text = await fetch(`${httpUrl}/metrics`).then(
        (r) => (r.ok ? r.text() : ''),
        () => '',
      );
      const lines = text.split('\n');
      // A labelled counter has no samples until its first increment: declared means 0.
      if (!lines.includes(`# TYPE ${name} counter`) && !lines.includes(`# TYPE ${name} gauge`))
        return undefined;
      return lines
        .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
        .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)))
        .reduce((a, b) => a + b, 0);
    },
  };
}

export interface RebuildRun {
  readonly code: number | null;
  /** The `{"rebuilt":...}` line, when it printed one. */
  readonly result: { events: number; rows: number } | undefined;
  /** From spawning the process to its result line (or exit). */
  readonly wallMs: number;
  /** From its first `rebuild` log line to its result line: the replay without process start-up. */
  readonly inProcessMs: number | undefined;
  readonly output: string;
}

/** Runs `main.ts rebuild` to completion; `onStart` gets the process (to stop it on a timeout). */
export async function runRebuild(
  config: BenchConfig,
  servers: BenchServers,
  onStart?: (command: NodeChild) => void,
): Promise<RebuildRun> {
  const spawnedAt = performance.now();
  const command = spawnNode({
    name: 'presence-aggregator rebuild',
    ...entry(config),
    args: ['rebuild'],
    cwd: config.aggregatorRoot,
    env: aggregatorEnv(config, servers),
    nodeArgs: nodeArgs(config, 'rebuild'),
    logFile: join(config.logDir, 'rebuild.log'),
  });
  onStart?.(command);
  let firstRebuildLogAt: number | undefined;
  let resultAt: number | undefined;
  let result: RebuildRun['result'];
  command.onLine((line, at) => {
    if (line.startsWith('{"rebuilt"')) {
      resultAt = at;
      const parsed = JSON.parse(line) as { events: number; rows: number };
      result = { events: Number(parsed.events), rows: Number(parsed.rows) };
    } else if (firstRebuildLogAt === undefined && /"msg":"rebuild/i.test(line)) {
      firstRebuildLogAt = at;
    }
  });
  const code = await command.exited;
  const end = resultAt ?? performance.now();
  return {
    code,
    result,
    wallMs: end - spawnedAt,
    inProcessMs: firstRebuildLogAt === undefined ? undefined : end - firstRebuildLogAt,
    output: command.output(),
  };
}
