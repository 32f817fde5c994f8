import { fileURLToPath } from 'node:url';
import { credentials, loadPackageDefinition, Metadata, status } from '@grpc/grpc-js';
import type {
  Client,
  ClientDuplexStream,
  GrpcObject,
  handleUnaryCall,
  ServiceClientConstructor,
  ServiceError,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ForbiddenError } from '@presence/domain';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { afterEach, describe, expect, it } from 'vitest';
import { toGrpcError } from './error-mapping.js';
import { startGrpcServer } from './grpc-server.js';
import type { GrpcServerHandle } from './grpc-server.js';
import { unimplementedService } from './grpc-unimplemented.js';
import { captureLogger } from './testing-fixtures/capture-logger.js';

const fixture = loadSync(
  fileURLToPath(new URL('./testing-fixtures/greeter.proto', import.meta.url)),
);
const greeterDefinition = lookup(
  loadPackageDefinition(fixture),
  'kit.fixture.v1.GreeterService',
).service;
const Health = lookup(
  loadPackageDefinition(loadSync(healthProtoPath, { enums: String })),
  'grpc.health.v1.Health',
);
const reflectionProto = fileURLToPath(
  import.meta.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto'),
);
const Reflection = lookup(
  loadPackageDefinition(loadSync(reflectionProto)),
  'grpc.reflection.v1.ServerReflection',
);

/** Walks `a.b.C` through a loaded package to a client constructor. */
function lookup(root: GrpcObject, name: string): ServiceClientConstructor {
  const found = name
    .split('.')
    .reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], root);
  return found as ServiceClientConstructor;
}

// Clients from loadPackageDefinition have untyped methods; these types name the shapes we call.
type UnaryMethod = (
  request: object,
  callback: (err: ServiceError | null, response?: Record<string, unknown>) => void,
) => void;
type ServerStreamMethod = (request: object) => NodeJS.EventEmitter;
type ReflectionResponse = { listServicesResponse: { service: Array<{ name: string }> } };
type ReflectionMethod = () => ClientDuplexStream<object, ReflectionResponse>;

function method<M>(client: Client, name: string): M {
  const found: unknown = Reflect.get(client, name);
  if (typeof found !== 'function') throw new Error(`client has no method ${name}`);
  return found.bind(client) as M;
}

function unary(client: Client, name: string, request: object): Promise<Record<string, unknown>> {
  const call = method<UnaryMethod>(client, name);
  return new Promise((resolve, reject) =>
    call(request, (err, res) => (err ? reject(err) : resolve(res ?? {}))),
  );
}

function serverStreamError(client: Client, name: string, request: object): Promise<ServiceError> {
  const call = method<ServerStreamMethod>(client, name)(request);
  return new Promise((resolve) => call.on('error', resolve));
}

const servers: GrpcServerHandle[] = [];
const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.close(100)));
});

async function start(implementation: UntypedServiceImplementation, withReflection = true) {
  const handle = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    logger: captureLogger().logger,
    services: [
      { name: 'kit.fixture.v1.GreeterService', definition: greeterDefinition, implementation },
    ],
    ...(withReflection ? { packageDefinition: fixture } : {}),
  });
  servers.push(handle);
  const connect = (ctor: ServiceClientConstructor): Client => {
    const client = new ctor(`127.0.0.1:${handle.port}`, credentials.createInsecure());
    clients.push(client);
    return client;
  };
  return { handle, connect };
}

describe('startGrpcServer', () => {
  it('serves grpc.health.v1.Health for the server and each service, and follows setServing', async () => {
    const { handle, connect } = await start(
      unimplementedService(greeterDefinition, 'kit.fixture.v1.GreeterService'),
    );
    expect(handle.port).toBeGreaterThan(0);
    const health = connect(Health);
    expect(await unary(health, 'Check', { service: '' })).toEqual({ status: 'SERVING' });
    expect(await unary(health, 'Check', { service: 'kit.fixture.v1.GreeterService' })).toEqual({
      status: 'SERVING',
    });
    await expect(unary(health, 'Check', { service: 'nope.v1.Nope' })).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });

    handle.setServing(false);
    expect(await unary(health, 'Check', { service: '' })).toEqual({ status: 'NOT_SERVING' });
  });

  it('lists the services through server reflection', async () => {
    const { connect } = await start(
      unimplementedService(greeterDefinition, 'kit.fixture.v1.GreeterService'),
    );
    const reflection = connect(Reflection);
    const stream = method<ReflectionMethod>(reflection, 'ServerReflectionInfo')();
    const response = new Promise<ReflectionResponse>((resolve, reject) => {
      stream.on('data', resolve);
      stream.on('error', reject);
    });
    stream.write({ listServices: '' });
    const names = (await response).listServicesResponse.service.map((service) => service.name);
    stream.end();
    expect(names).toEqual(
      expect.arrayContaining(['kit.fixture.v1.GreeterService', 'grpc.health.v1.Health']),
    );
  });

  it('answers UNIMPLEMENTED naming the method for unary and server-streaming calls', async () => {
    const { connect } = await start(
      unimplementedService(greeterDefinition, 'kit.fixture.v1.GreeterService'),
    );
    const Greeter = lookup(loadPackageDefinition(fixture), 'kit.fixture.v1.GreeterService');
    const greeter = connect(Greeter);
    await expect(unary(greeter, 'SayHello', { name: 'a' })).rejects.toMatchObject({
      code: status.UNIMPLEMENTED,
      details: 'kit.fixture.v1.GreeterService/SayHello is not implemented yet',
    });
    expect(await serverStreamError(greeter, 'StreamHellos', { name: 'a' })).toMatchObject({
      code: status.UNIMPLEMENTED,
      details: 'kit.fixture.v1.GreeterService/StreamHellos is not implemented yet',
    });
  });

  it('carries a mapped domain error to the client with its code in the trailers', async () => {
    const sayHello: handleUnaryCall<unknown, unknown> = (_call, callback) =>
      callback(
        toGrpcError(new ForbiddenError('not_host', 'only the host may mute others', 'actor_id')),
      );
    const implementation = {
      ...unimplementedService(greeterDefinition, 'kit.fixture.v1.GreeterService'),
      SayHello: sayHello,
    };
    const { connect } = await start(implementation, false);
    const greeter = connect(
      lookup(loadPackageDefinition(fixture), 'kit.fixture.v1.GreeterService'),
    );
    const error = (await unary(greeter, 'SayHello', { name: 'a' }).catch(
      (err: unknown) => err,
    )) as ServiceError;
    expect(error).toMatchObject({
      code: status.PERMISSION_DENIED,
      details: 'only the host may mute others',
    });
    expect(error.metadata).toBeInstanceOf(Metadata);
    expect(error.metadata.get('error-code')).toEqual(['not_host']);
    expect(error.metadata.get('error-field')).toEqual(['actor_id']);
  });

  it('close() reports NOT_SERVING and stops the server', async () => {
    const { handle, connect } = await start(
      unimplementedService(greeterDefinition, 'kit.fixture.v1.GreeterService'),
    );
    const health = connect(Health);
    expect(await unary(health, 'Check', { service: '' })).toEqual({ status: 'SERVING' });
    servers.splice(servers.indexOf(handle), 1);
    await handle.close(500);
    await expect(unary(health, 'Check', { service: '' })).rejects.toMatchObject({
      code: status.UNAVAILABLE,
    });
  });
});
