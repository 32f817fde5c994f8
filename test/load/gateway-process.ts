import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@presence/local';
import { spawnNode, type NodeChild } from '../bench/child-process.js';
import { REPO_ROOT } from '../bench/config.js';
import { pollUntil } from '../bench/progress.js';
import type { LoadConfig } from './config.js';
import { scrape, type Scrape } from './metrics.js';

/** A gateway process (services/gateway as a black box: its env, `/readyz`, `/metrics`, `/v1/ws`). */
export interface GatewayProcess {
  readonly name: string;
  readonly child: NodeChild;
  readonly httpUrl: string;
  readonly wsUrl: string;
  metrics(): Promise<Scrape | undefined>;
}

/**
 * `dist`: compiles the gateway, the presence-aggregator and the libraries they use, in one Nx run
 * (it caches what did not change).
 */
export function buildServices(config: LoadConfig): void {
  if (config.build !== 'dist') return;
  const projects = '@presence/gateway,@presence/presence-aggregator';
  execFileSync('npx', ['nx', 'run-many', '-t', 'build', '-p', projects, '--outputStyle=static'], {
    cwd: REPO_ROOT,
    env: { ...process.env, NX_DAEMON: 'false' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Where a gateway's `--cpu-prof` output goes (LOAD_CPU_PROF). */
export const profileDirOf = (config: LoadConfig, name: string) =>
  config.cpuProfileDir === undefined
    ? undefined
    : join(config.cpuProfileDir, name.replaceAll(' ', '-'));

/** The signal that makes a gateway write a heap snapshot into the log dir (LOAD_HEAP_SNAPSHOT). */
export const HEAP_SNAPSHOT_SIGNAL = 'SIGUSR2';

/** The service's own Node.js flags (package.json `presence.nodeArgs`, as `npm start`), then ours. */
function nodeArgs(config: LoadConfig, name: string): string[] {
  const manifest = JSON.parse(
    readFileSync(join(REPO_ROOT, 'services/gateway/package.json'), 'utf8'),
  ) as { presence?: { nodeArgs?: string[] } };
  const profileDir = profileDirOf(config, name);
  return [
    ...(manifest.presence?.nodeArgs ?? []),
    ...(profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir]),
    ...(config.heapSnapshot
      ? [`--heapsnapshot-signal=${HEAP_SNAPSHOT_SIGNAL}`, `--diagnostic-dir=${config.logDir}`]
      : []),
    ...config.gatewayNodeArgs,
  ];
}

/**
 * Starts a gateway on a free port and resolves once `/readyz` answers 200. GATEWAY_* variables
 * of the harness's environment (GATEWAY_MAX_CONNECTIONS...) reach it unchanged.
 */
export async function startGateway(options: {
  readonly name: string;
  readonly config: LoadConfig;
  readonly natsUrl: string;
  readonly jwtSecret: string;
}): Promise<GatewayProcess> {
  const { config } = options;
  const httpPort = await freePort();
  const child = spawnNode({
    name: options.name,
    ...(config.build === 'dist'
      ? { script: 'services/gateway/dist/main.js', compiled: true }
      : { script: 'services/gateway/src/main.ts' }),
    cwd: REPO_ROOT,
    env: {
      NATS_URL: options.natsUrl,
      PRESENCE_JWT_SECRET: options.jwtSecret,
      PRESENCE_PARTITIONS: String(config.partitions),
      LOG_LEVEL: config.logLevel,
      GATEWAY_HTTP_PORT: String(httpPort),
      GATEWAY_GRPC_PORT: '0',
    },
    nodeArgs: nodeArgs(config, options.name),
    logFile: join(config.logDir, `${options.name.replaceAll(' ', '-')}.log`),
  });
  let exitCode: number | null | undefined;
  void child.exited.then((code) => (exitCode = code));
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  try {
    await pollUntil({
      what: `${options.name} to be ready`,
      intervalMs: 100,
      stallMs: 60_000,
      timeoutMs: 60_000,
      context: () => `\n${child.output().slice(-4000)}`,
      poll: async () => {
        if (exitCode !== undefined)
          throw new Error(`${options.name} exited (${exitCode}) at start:\n${child.output()}`);
        const ready = await fetch(`${httpUrl}/readyz`).then(
          (response) => response.ok,
          () => false,
        );
        return { done: ready, progress: 0 };
      },
    });
  } catch (error) {
    await child.stop(1000);
    throw error;
  }
  return {
    name: options.name,
    child,
    httpUrl,
    wsUrl: `ws://127.0.0.1:${httpPort}/v1/ws`,
    metrics: () => scrape(httpUrl),
  };
}
