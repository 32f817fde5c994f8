import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureNatsServer, startNats } from '@presence/local';
import type { NatsServer } from '@presence/local';

/** Options for {@link startNatsServer}. */
export interface StartNatsServerOptions {
  /** Enable JetStream (store in the server's temp dir, 1 GB memory / 10 GB file limits). Default true. */
  readonly jetstream?: boolean;
}

/** A private nats-server for one spec file. */
export interface NatsServerHandle {
  /** `nats://127.0.0.1:<port>`; unchanged by {@link NatsServerHandle.restart}. */
  readonly url: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>` of the monitoring endpoint (/varz, /jsz, /healthz). */
  readonly monitorUrl: string;
  /** The server's temp dir (config, log, JetStream store). */
  readonly dir: string;
  /** Stops the server (SIGTERM, SIGKILL after 5 s) and removes its dir. Safe after {@link kill}. */
  stop(): Promise<void>;
  /** SIGKILL, as in a crash: the dir and JetStream data stay, for {@link restart}. */
  kill(): void;
  /** Stops the server if it runs and starts it again on the same ports and dir (JetStream data kept). */
  restart(): Promise<void>;
}

// One lookup per worker: the binary does not move during a test run.
let binary: Promise<string> | undefined;

/**
 * Starts a nats-server on free loopback ports in a fresh temp dir and resolves once it is
 * healthy (~40 ms). Start one per spec file and stop it in `afterAll`.
 */
export async function startNatsServer(
  options: StartNatsServerOptions = {},
): Promise<NatsServerHandle> {
  const jetstream = options.jetstream ?? true;
  binary ??= ensureNatsServer();
  const natsBinary = await binary;
  const dir = await mkdtemp(join(tmpdir(), 'presence-nats-'));
  let server: NatsServer;
  try {
    server = await startNats({ dir, binary: natsBinary, jetstream });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const { url, port, monitorUrl, monitorPort } = server;
  return {
    url,
    port,
    monitorUrl,
    dir,
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
    kill() {
      server.kill('SIGKILL');
    },
    async restart() {
      await server.stop();
      server = await startNats({ dir, binary: natsBinary, jetstream, port, monitorPort });
    },
  };
}
