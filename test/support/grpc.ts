import { fileURLToPath } from 'node:url';
import {
  credentials,
  loadPackageDefinition,
  type Client,
  type ClientDuplexStream,
  type GrpcObject,
  type ServiceClientConstructor,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

function lookup(root: GrpcObject, name: string): ServiceClientConstructor {
  let node: unknown = root;
  for (const part of name.split('.')) node = (node as Record<string, unknown>)[part];
  return node as ServiceClientConstructor;
}

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

const connect = (Ctor: ServiceClientConstructor, port: number): Client =>
  new Ctor(`127.0.0.1:${port}`, credentials.createInsecure());

/** `grpc.health.v1.Health/Check` for one service name (`''` = the server). */
export async function healthStatus(port: number, service: string): Promise<string> {
  const client = connect(Health, port);
  try {
    return await new Promise((resolve, reject) => {
      const check = (client as unknown as Record<string, (...args: unknown[]) => void>)[
        'Check'
      ]!.bind(client);
      check({ service }, (error: Error | null, response: { status: string }) =>
        error ? reject(error) : resolve(response.status),
      );
    });
  } finally {
    client.close();
  }
}

/** Service names listed by server reflection (v1). */
export async function reflectedServices(port: number): Promise<string[]> {
  const client = connect(Reflection, port);
  type Response = { listServicesResponse?: { service: Array<{ name: string }> } };
  const info = (client as unknown as Record<string, () => ClientDuplexStream<object, Response>>)[
    'ServerReflectionInfo'
  ]!.bind(client);
  try {
    const stream = info();
    const response = new Promise<Response>((resolve, reject) => {
      stream.once('data', resolve);
      stream.once('error', reject);
    });
    stream.write({ listServices: '' });
    stream.end();
    return (await response).listServicesResponse?.service.map((s) => s.name) ?? [];
  } finally {
    client.close();
  }
}
