// The private servers of `npm start`: fixed ports (overridable), data kept under <root>/.data.
import { join } from 'node:path';
import {
  ensureNatsServer,
  ensurePostgres,
  isPortInUseError,
  startNats,
  startPostgres,
} from './index.mjs';

/** Adds which environment variables pick another port to a port-in-use error. */
function portHint(hint) {
  return (error) => {
    throw isPortInUseError(error) ? new Error(`${error.summary ?? error.message}\n${hint}`) : error;
  };
}

/**
 * nats-server on PRESENCE_NATS_PORT (4222) / PRESENCE_NATS_MONITOR_PORT (8222), data in
 * .data/nats, in its own process group so that Ctrl-C stops the services before it.
 * @param {{ root: string, env: NodeJS.ProcessEnv, log: (line: string) => void }} options
 */
export async function startLocalNats({ root, env, log }) {
  const binary = await ensureNatsServer({ log });
  const options = {
    dir: join(root, '.data/nats'),
    port: Number(env.PRESENCE_NATS_PORT ?? 4222),
    monitorPort: Number(env.PRESENCE_NATS_MONITOR_PORT ?? 8222),
    binary,
    detached: true,
    log,
  };
  const hint =
    'Set PRESENCE_NATS_PORT / PRESENCE_NATS_MONITOR_PORT for other ports, or NATS_URL=nats://host:port to use a running server.';
  return startNats(options).catch(portHint(hint));
}

/**
 * A durable PostgreSQL cluster on PRESENCE_PG_PORT (54320), data in .data/postgres/<major>.
 * @param {{ root: string, env: NodeJS.ProcessEnv, log: (line: string) => void }} options
 */
export async function startLocalPostgres({ root, env, log }) {
  const { binDir } = await ensurePostgres({ log });
  const port = Number(env.PRESENCE_PG_PORT ?? 54320);
  // One data directory per major version: a cluster only runs with the binaries that made it.
  const dir = join(root, '.data/postgres', /postgresql\/([^/]+)\/bin/.exec(binDir)?.[1] ?? 'main');
  const hint =
    'Set PRESENCE_PG_PORT for another port, or DATABASE_URL=postgres://... to use a running server.';
  const server = await startPostgres({ dir, port, binDir, durable: true, log }).catch(
    portHint(hint),
  );
  return { server, binDir };
}
