import { Counter, Gauge } from 'prom-client';
import { runService } from '@presence/runtime';
import { createDeviceCommands } from './adapters/device-commands.js';
import { subscribePushes } from './adapters/user-pushes.js';
import { createDeviceLog } from './adapters/device-log.js';
import { startHeartbeat } from './adapters/heartbeat.js';
import { WatchHub } from './adapters/hub.js';
import { presenceGrpcService } from './adapters/presence-grpc.js';
import { createPresenceHistory } from './adapters/presence-history.js';
import { createPresenceSource, resyncOnReconnect } from './adapters/presence-source.js';
import { createWorkspaceSource } from './adapters/workspace-source.js';
import { attachWebSocketServer } from './adapters/ws-server.js';
import { DEV_JWT_SECRET, loadConfig, type GatewayConfig } from './config.js';

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
    const workspace = await createWorkspaceSource(ctx.nc, logger);
    const hub = new WatchHub();
    const owners = new WatchHub();
    const presence = await createPresenceSource(ctx.nc, logger);
    const unsubscribe = presence.subscribe(
      (update) => hub.dispatch(update),
      (user) => hub.has(user),
    );
    const unsubscribeOwn = presence.subscribeOwn(
      (update) => owners.dispatch(update),
      (user) => owners.has(user),
    );
    resyncOnReconnect(
      ctx.nc,
      [
        [hub, presence.readPublic],
        [owners, presence.readOwn],
      ],
      logger,
    );
    const log = createDeviceLog({
      js: ctx.js,
      partitions: config.partitions,
      gatewayId: ctx.instanceId,
    });
    const refused = new Counter({
      name: 'presence_gateway_upgrades_refused_total',
      help: 'WebSocket upgrades refused before the handshake: capacity (503) or connect rate (429).',
      labelNames: ['reason'],
      registers: [ctx.registry],
    });
    const ws = attachWebSocketServer({
      server: ctx.http.server,
      jwtSecret: config.jwtSecret,
      maxPayloadBytes: config.maxFrameBytes * HARD_PAYLOAD_FACTOR,
      hub,
      owners,
      presence,
      workspace,
      log,
      commands: createDeviceCommands(ctx.nc, logger, ctx.instanceId),
      limits: {
        maxFrameBytes: config.maxFrameBytes,
        maxWatched: config.maxWatched,
        maxUsersPerFrame: config.maxWatched,
        framesPerS: config.framesPerS,
        frameBurst: config.frameBurst,
        maxSendBufferBytes: config.maxSendBufferBytes,
      },
      admission: {
        maxConnections: config.maxConnections,
        connectsPerS: config.maxConnectsPerS,
      },
      pingIntervalMs: config.pingIntervalMs,
      drainSpreadMs: config.drainSpreadMs,
      onRefused: (reason) => refused.inc({ reason }),
      logger,
    });
    const unsubscribePushes = subscribePushes(ctx.nc, {
      gatewayId: ctx.instanceId,
      owners,
      toSession: (sessionId, frame) => ws.pushToSession(sessionId, frame),
      logger,
    });
    logger.info(
      { maxConnections: config.maxConnections, connectsPerS: config.maxConnectsPerS },
      'admitting device sessions',
    );
    workspace.onChange((next, previous) => {
      if (next.presenceEnabled !== previous.presenceEnabled) {
        logger.info({ enabled: next.presenceEnabled }, 'presence service switched');
        ws.presenceSwitched(next.presenceEnabled);
      }
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
    // Registered before the WebSockets so it stops after them (shutdown runs in reverse): the
    // drained sessions are in the log before the heart-beat key goes.
    const heartbeat = await startHeartbeat({
      js: ctx.js,
      gatewayId: ctx.instanceId,
      connections: () => ws.connections,
      intervalMs: config.heartbeatMs,
      logger,
    });
    ctx.lifecycle.onShutdown('heartbeat', () => heartbeat.stop());
    ctx.lifecycle.onShutdown('websockets', async () => {
      await ws.close();
      unsubscribe();
      unsubscribeOwn();
      unsubscribePushes();
      workspace.close();
    });
    return {
      grpc: [
        presenceGrpcService({
          hub,
          presence,
          log,
          workspace,
          history: createPresenceHistory(ctx.nc),
          maxUsersPerCall: config.maxUsersPerCall,
          shutdown: ctx.lifecycle.signal,
          logger,
        }),
      ],
    };
  },
});
