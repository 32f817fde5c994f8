import { PresenceServiceService } from '@presence/contracts';
import { Gauge } from 'prom-client';
import { unimplementedService } from '@presence/kit';
import { runService } from '@presence/runtime';
import { createDeviceLog } from './adapters/device-log.js';
import { WatchHub } from './adapters/hub.js';
import { createPresenceSource } from './adapters/presence-source.js';
import { attachWebSocketServer } from './adapters/ws-server.js';
import { DEV_JWT_SECRET, loadConfig, type GatewayConfig } from './config.js';

/** Workspace settings announced in `hello`: the defaults of RULES.md until the aggregator serves them. */
const DEFAULT_SETTINGS = {
  idle_timeout_s: 300,
  allow_invisible: true,
  allow_custom_status_text: true,
  presence_enabled: true,
};

/** Frames above the configured limit get an error frame; only absurd ones (64x) cut the socket. */
const HARD_PAYLOAD_FACTOR = 64;

await runService<GatewayConfig, never>({
  name: 'gateway',
  loadConfig,
  streams: ['DEVICE_EVENTS', 'PRESENCE'],
  start: async (ctx) => {
    const { config, logger } = ctx;
    if (config.jwtSecret === DEV_JWT_SECRET) {
      logger.warn(
        'PRESENCE_JWT_SECRET is the local development default; set it for any shared deployment',
      );
    }
    const hub = new WatchHub();
    const presence = await createPresenceSource(ctx.nc, logger);
    const unsubscribe = presence.subscribe((view) => hub.dispatch(view));
    const ws = attachWebSocketServer({
      server: ctx.http.server,
      jwtSecret: config.jwtSecret,
      maxPayloadBytes: config.maxFrameBytes * HARD_PAYLOAD_FACTOR,
      hub,
      presence,
      log: createDeviceLog({
        js: ctx.js,
        partitions: config.partitions,
        gatewayId: ctx.instanceId,
      }),
      limits: {
        maxFrameBytes: config.maxFrameBytes,
        maxWatched: config.maxWatched,
        maxUsersPerFrame: config.maxWatched,
      },
      settings: DEFAULT_SETTINGS,
      logger,
    });
    new Gauge({
      name: 'presence_gateway_connections',
      help: 'Device sessions open on this gateway.',
      registers: [ctx.registry],
      collect() {
        this.set(ws.connections);
      },
    });
    new Gauge({
      name: 'presence_gateway_watched_users',
      help: 'Users watched by at least one connection of this gateway (own users included).',
      registers: [ctx.registry],
      collect() {
        this.set(hub.watchedUsers);
      },
    });
    ctx.lifecycle.onShutdown('websockets', async () => {
      await ws.close();
      unsubscribe();
    });
    return {
      grpc: [
        {
          name: 'presence.v1.PresenceService',
          definition: PresenceServiceService,
          implementation: unimplementedService(
            PresenceServiceService,
            'presence.v1.PresenceService',
          ),
        },
      ],
    };
  },
});
