// The six services that `npm start` runs, with the ports their configs default to.
import { readFileSync } from 'node:fs';

/**
 * @typedef {{ name: string, entry: string, httpPort: number, grpcPort: number, grpcService: string, nodeArgs: string[] }} ServiceSpec
 */

/** @type {[string, number, number, string][]} name, HTTP port, gRPC port, gRPC service */
const TABLE = [
  ['gateway', 8080, 50051, 'presence.v1.PresenceService'],
  ['presence-aggregator', 8081, 50052, 'presence.v1.PresenceAdminService'],
  ['room-membership', 8082, 50053, 'presence.v1.RoomService'],
  ['meeting-roster', 8083, 50054, 'presence.v1.MeetingService'],
  ['notification', 8084, 50055, 'presence.v1.NotificationService'],
  ['webhook-ingest', 8090, 50056, 'presence.v1.WebhookAdminService'],
];

/** @type {readonly ServiceSpec[]} */
export const SERVICES = TABLE.map(([name, httpPort, grpcPort, grpcService]) => ({
  name,
  entry: `services/${name}/src/main.ts`,
  httpPort,
  grpcPort,
  grpcService,
  nodeArgs: serviceNodeArgs(name),
}));

/**
 * Node.js flags a service runs with (`presence.nodeArgs` in its package.json, also in its `start`
 * script): e.g. the aggregator's larger young generation, which halves its garbage collection.
 */
export function serviceNodeArgs(name) {
  const file = new URL(`../../services/${name}/package.json`, import.meta.url);
  return JSON.parse(readFileSync(file, 'utf8')).presence?.nodeArgs ?? [];
}

/** The endpoints table printed once everything is ready. */
export function endpointsTable({ natsUrl, natsMonitorUrl, databaseUrl, services, paint }) {
  const width = Math.max(...services.map((service) => service.name.length));
  const row = (label, value) => `  ${paint.bold(label.padEnd(width))}  ${value}`;
  const lines = [
    '',
    paint.bold('Presence is running:'),
    row('NATS', `${natsUrl}${natsMonitorUrl ? `  (monitor ${natsMonitorUrl})` : ''}`),
    row('PostgreSQL', databaseUrl),
  ];
  for (const service of services) {
    const grpc = `gRPC 127.0.0.1:${service.grpcPort} (${service.grpcService})`;
    if (service.name === 'gateway') {
      lines.push(row(service.name, `WebSocket ws://127.0.0.1:${service.httpPort}/v1/ws`));
      lines.push(row('', `HTTP http://127.0.0.1:${service.httpPort} (/healthz /readyz /metrics)`));
      lines.push(row('', grpc));
    } else if (service.name === 'webhook-ingest') {
      lines.push(
        row(
          service.name,
          `HTTP http://127.0.0.1:${service.httpPort} (webhooks, /healthz /readyz /metrics)`,
        ),
      );
      lines.push(row('', grpc));
    } else {
      lines.push(row(service.name, `${grpc}, HTTP :${service.httpPort}`));
    }
  }
  lines.push('', paint.bold('Press Ctrl-C to stop.'), '');
  return lines.join('\n');
}
