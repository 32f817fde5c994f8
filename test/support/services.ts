import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '@presence/local';

const root = new URL('../../', import.meta.url).pathname;

/** Env prefixes of each service's ports (see the services' config.ts). */
const PORT_VARS: Record<string, [string, string]> = {
  gateway: ['GATEWAY_HTTP_PORT', 'GATEWAY_GRPC_PORT'],
  'presence-aggregator': ['AGGREGATOR_HTTP_PORT', 'AGGREGATOR_GRPC_PORT'],
  'room-membership': ['ROOMS_HTTP_PORT', 'ROOMS_GRPC_PORT'],
  'meeting-roster': ['MEETINGS_HTTP_PORT', 'MEETINGS_GRPC_PORT'],
  notification: ['NOTIFICATION_HTTP_PORT', 'NOTIFICATION_GRPC_PORT'],
  'webhook-ingest': ['WEBHOOK_HTTP_PORT', 'WEBHOOK_GRPC_PORT'],
};

export interface ServiceProcess {
  readonly name: string;
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly httpUrl: string;
  /** Everything the process printed so far (JSON log lines). */
  output(): string;
  /** SIGTERM and wait for a clean exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash) and wait. */
  kill(): Promise<void>;
}

function spawnService(
  name: string,
  args: readonly string[],
  env: Record<string, string>,
): ChildProcess {
  return spawn(
    process.execPath,
    ['--conditions=@presence/source', '--import', 'tsx', `services/${name}/src/main.ts`, ...args],
    {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/**
 * Starts a service as its own process, exactly as `npm start` runs it, and waits for /readyz. Its
 * ports are free ones unless `env` names them (a restart on the same address, as clients see it).
 */
export async function startService(
  name: string,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const [httpVar, grpcVar] = PORT_VARS[name]!;
  const ownPorts = env[httpVar] === undefined && env[grpcVar] === undefined;
  // A free port can be taken between our check and the service's bind (an outgoing connection of
  // a parallel test gets the same ephemeral port): start again on new ports.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startServiceOnce(name, env);
    } catch (error) {
      if (!ownPorts || attempt === 3 || !String(error).includes('EADDRINUSE')) throw error;
    }
  }
}

async function startServiceOnce(
  name: string,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const [httpVar, grpcVar] = PORT_VARS[name]!;
  const httpPort = env[httpVar] === undefined ? await freePort() : Number(env[httpVar]);
  const grpcPort = env[grpcVar] === undefined ? await freePort() : Number(env[grpcVar]);
  const child = spawnService(name, [], {
    ...env,
    [httpVar]: String(httpPort),
    [grpcVar]: String(grpcPort),
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with ${child.exitCode} before it was ready:\n${output}`);
    const ready = await fetch(`${httpUrl}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} was not ready within 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    name,
    httpPort,
    grpcPort,
    httpUrl,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Runs a service to completion: a one-shot command (the aggregator's `rebuild`), or a start that
 * is expected to fail; resolves with its exit code and output.
 */
export async function runServiceCommand(
  name: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [httpVar, grpcVar] = PORT_VARS[name]!;
  const child = spawnService(name, args, { [httpVar]: '0', [grpcVar]: '0', ...env });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { code, stdout, stderr };
}
