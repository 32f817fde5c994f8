import { credentials, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  MeetingServiceClient,
  NotificationServiceClient,
  PresenceAdminServiceClient,
  PresenceServiceClient,
  RoomServiceClient,
  WebhookAdminServiceClient,
} from '@presence/contracts';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthStatus, reflectedServices } from '../support/grpc.js';
import { startService, type ServiceProcess } from '../support/services.js';
import { startPresenceSystem, type PresenceSystem } from '../support/system.js';

/** Every service starts, declares its streams, migrates its schema and serves health, reflection and gRPC. */
let system: PresenceSystem;
let others: ServiceProcess[];
let nc: NatsConnection;

beforeAll(async () => {
  system = await startPresenceSystem();
  others = await Promise.all(
    ['room-membership', 'meeting-roster', 'notification', 'webhook-ingest'].map((name) =>
      startService(name, system.env),
    ),
  );
  nc = await connect({ servers: system.nats.url });
}, 90_000);

afterAll(async () => {
  await nc?.close();
  await Promise.all((others ?? []).map((service) => service.stop()));
  await system?.stop();
});

const byName = (name: string) =>
  [system.gateway, system.aggregator, ...others].find((s) => s.name === name)!;

type Call = (client: Client) => Promise<unknown>;
const unary =
  (method: string, request: object): Call =>
  (client) =>
    new Promise((resolve, reject) => {
      const fn = (client as unknown as Record<string, (...args: unknown[]) => void>)[method]!.bind(
        client,
      );
      fn(request, (error: ServiceError | null, response: unknown) =>
        error ? reject(error) : resolve(response),
      );
    });

const SERVICES: Array<
  [
    string,
    string,
    new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client,
    Call | null,
  ]
> = [
  ['gateway', 'presence.v1.PresenceService', PresenceServiceClient, null],
  ['presence-aggregator', 'presence.v1.PresenceAdminService', PresenceAdminServiceClient, null],
  ['room-membership', 'presence.v1.RoomService', RoomServiceClient, null],
  [
    'meeting-roster',
    'presence.v1.MeetingService',
    MeetingServiceClient,
    unary('getRoster', { meetingId: 'm1' }),
  ],
  [
    'notification',
    'presence.v1.NotificationService',
    NotificationServiceClient,
    unary('listNotifications', { userId: 'u1' }),
  ],
  [
    'webhook-ingest',
    'presence.v1.WebhookAdminService',
    WebhookAdminServiceClient,
    unary('listWebhooks', { roomId: 'r1' }),
  ],
];

describe.each(SERVICES)('%s', (name, serviceName) => {
  it('is ready, healthy and reflects its service', async () => {
    const service = byName(name);
    expect((await fetch(`${service.httpUrl}/readyz`)).status).toBe(200);
    expect(await healthStatus(service.grpcPort, serviceName)).toBe('SERVING');
    expect(await reflectedServices(service.grpcPort)).toEqual(
      expect.arrayContaining([serviceName, 'grpc.health.v1.Health']),
    );
    const metrics = await (await fetch(`${service.httpUrl}/metrics`)).text();
    expect(metrics).toContain(`service="${name}"`);
  });
});

const PENDING = SERVICES.filter(
  (entry): entry is [string, string, (typeof entry)[2], Call] => entry[3] !== null,
);

describe.each(PENDING)('%s (issue not landed yet)', (name, _serviceName, ClientCtor, notYet) => {
  it('answers RPCs that have not landed with UNIMPLEMENTED', async () => {
    const client = new ClientCtor(
      `127.0.0.1:${byName(name).grpcPort}`,
      credentials.createInsecure(),
    );
    await expect(notYet(client)).rejects.toMatchObject({
      code: status.UNIMPLEMENTED,
      details: expect.stringContaining('not implemented yet'),
    });
    client.close();
  });
});

describe('infrastructure declared by the services', () => {
  it('has every stream of the contract', async () => {
    const jsm = await jetstreamManager(nc);
    const names: string[] = [];
    for await (const info of jsm.streams.list()) names.push(info.config.name);
    // KV buckets are streams too: gateway heart-beats and aggregator partition leases.
    expect(names.filter((n) => n.startsWith('KV_')).sort()).toEqual([
      'KV_presence_aggregator_leases',
      'KV_presence_gateways',
    ]);
    expect(names.filter((n) => !n.startsWith('KV_')).sort()).toEqual([
      'CHAT',
      'DEVICE_EVENTS',
      'MEETINGS',
      'NOTIFICATIONS',
      'PRESENCE',
      'ROOMS',
      'WEBHOOKS',
    ]);
  });

  it('has one schema per service that owns data', async () => {
    const pool = new pg.Pool({ connectionString: system.database.url, max: 1 });
    const { rows } = await pool.query<{ name: string }>(
      `select nspname as name from pg_namespace where nspname in ('presence','rooms','meetings','notifications','webhooks') order by 1`,
    );
    await pool.end();
    expect(rows.map((r) => r.name)).toEqual([
      'meetings',
      'notifications',
      'presence',
      'rooms',
      'webhooks',
    ]);
  });
});

describe('PresenceAdminService.RebuildProjection', () => {
  const admin = () =>
    new PresenceAdminServiceClient(
      `127.0.0.1:${system.aggregator.grpcPort}`,
      credentials.createInsecure(),
    );

  it('rebuilds user_presence from the log', async () => {
    const client = admin();
    expect(await unary('rebuildProjection', { projection: 'user_presence' })(client)).toMatchObject(
      { eventsReplayed: expect.any(String) },
    );
    client.close();
  });

  it('refuses an unknown projection with INVALID_ARGUMENT naming the field', async () => {
    const client = admin();
    await expect(
      unary('rebuildProjection', { projection: 'rosters' })(client),
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^projection: unknown projection "rosters"/),
    });
    client.close();
  });
});
