import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { loadFileDescriptorSetFromBuffer } from '@grpc/proto-loader';
import {
  connectBus,
  ensureStreams,
  jetstream,
  type JetStreamClient,
  type NatsConnection,
} from '@presence/bus';
import { STREAMS, descriptorSetBase64, type StreamName } from '@presence/contracts';
import {
  createLifecycle,
  createLogger,
  createMetrics,
  startGrpcServer,
  startHttpServer,
  type GrpcServiceRegistration,
  type HttpServerHandle,
  type Lifecycle,
  type Logger,
  type ReadinessChecks,
} from '@presence/kit';
import { createDatabase, migrateToLatest, pingDatabase, type Migrations } from '@presence/store';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import type { BaseConfig } from './base-config.js';

/** What a one-shot command gets: connections, config and the process's lifecycle. */
export interface CommandContext<C extends BaseConfig, DB> {
  readonly config: C;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  /** The service's database; throws for a service declared without one. */
  readonly db: Kysely<DB>;
  /** `<service>-<host>-<random>`: names this process in NATS and logs. */
  readonly instanceId: string;
}

/** What a service's `start` gets: the command context plus its HTTP server and metrics. */
export interface ServiceContext<C extends BaseConfig, DB> extends CommandContext<C, DB> {
  readonly registry: Registry;
  /** The HTTP server, already listening (the gateway attaches its WebSocket endpoint to it). */
  readonly http: HttpServerHandle;
}

/** What a started service serves. */
export interface Started {
  readonly grpc: readonly GrpcServiceRegistration[];
  /** Extra readiness checks on top of NATS and PostgreSQL. */
  readonly readiness?: () => ReadinessChecks;
}

export interface ServiceSpec<C extends BaseConfig, DB> {
  /** e.g. `room-membership`. */
  readonly name: string;
  readonly loadConfig: (env: Record<string, string | undefined>) => C;
  /** Streams the service publishes to or reads (declared idempotently at start). */
  readonly streams: readonly StreamName[];
  /** The PostgreSQL schema the service owns and its migrations (run at start); none for the gateway. */
  readonly database?: { readonly schema: string; readonly migrations: Migrations };
  /** Starts the service's own parts; steps it registers on `lifecycle` stop before the connections. */
  readonly start: (ctx: ServiceContext<C, DB>) => Promise<Started>;
  /**
   * One-shot commands (`node main.js <command>`), run after connecting and migrating instead of
   * `start`; they serve nothing, so they run beside the live service without port clashes.
   */
  readonly commands?: Readonly<
    Record<string, (ctx: CommandContext<C, DB>, args: readonly string[]) => Promise<void>>
  >;
}

/**
 * The process skeleton every service shares: config, logging, NATS (streams declared), PostgreSQL
 * (schema migrated), HTTP `/healthz` `/readyz` `/metrics`, the service's own start, then gRPC with
 * health and reflection. Shutdown runs in reverse: gRPC, HTTP, the service's steps, NATS, pool.
 */
export async function runService<C extends BaseConfig, DB>(
  spec: ServiceSpec<C, DB>,
  argv = process.argv.slice(2),
): Promise<void> {
  const [command, ...args] = argv;
  const commandFn = command === undefined ? undefined : spec.commands?.[command];
  if (command !== undefined && !commandFn) {
    const known = Object.keys(spec.commands ?? {});
    const usage = known.length > 0 ? `commands: ${known.join(', ')}` : 'it takes no command';
    process.stderr.write(`${spec.name}: unknown command "${command}"; ${usage}\n`);
    process.exit(2);
  }
  const logger = createLogger({ service: spec.name, level: 'info' });
  const lifecycle = createLifecycle({ logger });
  await lifecycle.run(async () => {
    const config = spec.loadConfig(process.env);
    logger.level = config.logLevel;
    // A valid id (DESIGN.md ids): it names this process in subjects too, so a dotted host name
    // must not make it several subject tokens.
    const host = hostname()
      .replace(/[^A-Za-z0-9_-]/g, '-')
      .slice(0, 100);
    const instanceId = `${spec.name}-${host}-${randomBytes(3).toString('hex')}`;
    // Not ready while the connection is down (it reconnects on its own; publishes would fail).
    let natsUp = true;
    const nc = await connectBus({
      servers: config.natsUrl,
      name: instanceId,
      onStatus: (status) => {
        if (status.type === 'disconnect') natsUp = false;
        if (status.type === 'reconnect') natsUp = true;
        const quiet = status.type === 'ping' || status.type === 'reconnecting';
        logger[quiet ? 'debug' : 'info'](
          { nats: status.type, data: status.data },
          'nats connection status',
        );
      },
    });
    lifecycle.onShutdown('nats', () => nc.drain());
    await ensureStreams(
      nc,
      spec.streams.map((name) => STREAMS[name]),
      { replicas: config.streamReplicas },
    );

    const db =
      spec.database &&
      (await openDatabase<DB>(spec.database, config.databaseUrl, instanceId, logger));
    if (db) lifecycle.onShutdown('postgres', () => db.destroy());

    const js = jetstream(nc);
    const context = <X extends object>(extra: X): CommandContext<C, DB> & X => ({
      config,
      logger,
      lifecycle,
      nc,
      js,
      get db(): Kysely<DB> {
        if (!db) throw new Error(`${spec.name} declares no database`);
        return db;
      },
      instanceId,
      ...extra,
    });
    if (commandFn) {
      await commandFn(context({}), args);
      await lifecycle.shutdown(`command ${command} done`);
      process.exit(0);
    }

    const { registry } = createMetrics({ service: spec.name });
    let started: Started | undefined = undefined;
    const http = await startHttpServer({
      host: config.host,
      port: config.httpPort,
      logger,
      registry,
      readiness: async () => ({
        nats: natsUp && !nc.isClosed(),
        ...(db ? { postgres: await pingDatabase(db) } : {}),
        started: started !== undefined,
        ...started?.readiness?.(),
      }),
    });
    lifecycle.onShutdown('http', () => http.close());
    started = await spec.start(context({ registry, http }));
    const grpc = await startGrpcServer({
      host: config.host,
      port: config.grpcPort,
      logger,
      services: started.grpc,
      packageDefinition: loadFileDescriptorSetFromBuffer(
        Buffer.from(descriptorSetBase64, 'base64'),
      ),
    });
    lifecycle.onShutdown('grpc', () => grpc.close());
    logger.info(
      { grpc: `${config.host}:${grpc.port}`, http: `http://${config.host}:${http.port}` },
      `${spec.name} ready`,
    );
  });
}

async function openDatabase<DB>(
  database: { readonly schema: string; readonly migrations: Migrations },
  url: string,
  instanceId: string,
  logger: Logger,
): Promise<Kysely<DB>> {
  const db = createDatabase<DB>({
    url,
    schema: database.schema,
    applicationName: instanceId,
    onPoolError: (error) => logger.warn({ err: error }, 'idle PostgreSQL connection failed'),
  });
  try {
    await migrateToLatest(db, { schema: database.schema, migrations: database.migrations });
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}
