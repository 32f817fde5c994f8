import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { ServerOptions, ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import type { Logger } from 'pino';

/** One service to serve, e.g. ts-proto's `PresenceServiceService` with its implementation. */
export interface GrpcServiceRegistration {
  /** Fully qualified name, e.g. `presence.v1.PresenceService`: the health check key. */
  readonly name: string;
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

/** Options for {@link startGrpcServer}. */
export interface GrpcServerOptions {
  readonly host: string;
  /** `0` binds any free port; the bound one is returned. */
  readonly port: number;
  readonly logger: Logger;
  readonly services: readonly GrpcServiceRegistration[];
  /**
   * Descriptors for server reflection (e.g. from `loadFileDescriptorSetFromBuffer`); without it
   * reflection is off. The health service is added to it so `grpcurl list` shows both.
   */
  readonly packageDefinition?: PackageDefinition;
  /** grpc-js server options (message size limits, keepalive, ...). */
  readonly serverOptions?: ServerOptions;
}

/** A running gRPC server. */
export interface GrpcServerHandle {
  readonly server: Server;
  readonly port: number;
  /** Sets the health status of `''` and every service: flip to `false` first when shutting down. */
  setServing(serving: boolean): void;
  /** Reports NOT_SERVING, lets calls in flight finish for `graceMs`, then cancels the rest. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Starts a gRPC server with the given services plus `grpc.health.v1.Health` (NOT_SERVING until
 * bound, then SERVING) and, given descriptors, server reflection v1 and v1alpha. Plaintext: TLS
 * terminates at the mesh or ingress.
 */
export async function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServerHandle> {
  const { logger, services } = options;
  const server = new Server(options.serverOptions);
  for (const service of services) server.addService(service.definition, service.implementation);

  const names = ['', ...services.map((service) => service.name)];
  const health = new HealthImplementation(
    Object.fromEntries(names.map((name) => [name, 'NOT_SERVING'])),
  );
  health.addToServer(server);
  const setServing = (serving: boolean): void => {
    for (const name of names) health.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING');
  };

  if (options.packageDefinition) {
    const reflected = { ...loadSync(healthProtoPath), ...options.packageDefinition };
    new ReflectionService(reflected).addToServer(server);
  }

  const address =
    options.host.includes(':') && !options.host.startsWith('[')
      ? `[${options.host}]`
      : options.host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `${address}:${options.port}`,
      ServerCredentials.createInsecure(),
      (err, bound) => (err ? reject(err) : resolve(bound)),
    );
  });
  setServing(true);
  logger.info({ host: options.host, port, services: names.slice(1) }, 'grpc server listening');

  let closing: Promise<void> | undefined;
  const close = (graceMs = 5_000): Promise<void> =>
    (closing ??= new Promise<void>((resolve) => {
      setServing(false);
      const force = setTimeout(() => {
        logger.warn({ graceMs }, 'grpc calls still running after grace, cancelling them');
        server.forceShutdown();
        resolve();
      }, graceMs);
      force.unref();
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    }));

  return { server, port, setServing, close };
}
