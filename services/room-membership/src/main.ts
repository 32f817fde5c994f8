import { runService } from '@presence/runtime';
import { Gauge } from 'prom-client';
import { answerDeviceCommands } from './adapters/device-commands.js';
import { startPresenceCache } from './adapters/presence-cache.js';
import { roomService } from './adapters/room-grpc.js';
import { pushRoomStates } from './adapters/room-state-push.js';
import { createRosterWatch } from './adapters/roster-watch.js';
import { startSessionWatches } from './adapters/session-watches.js';
import { startRoomsLog } from './adapters/rooms-log.js';
import { loadConfig, type RoomsConfig } from './config.js';
import { migrations } from './read-models/migrations.js';
import type { RoomsDatabase } from './read-models/tables.js';

// Rooms, members and Present / Not Present rosters (RULES.md 6), event-sourced on ROOMS.
await runService<RoomsConfig, RoomsDatabase>({
  name: 'room-membership',
  loadConfig,
  streams: ['ROOMS', 'PRESENCE'],
  database: { schema: 'rooms', migrations },
  start: async ({ nc, js, db, logger, lifecycle, registry }) => {
    const presence = await startPresenceCache({ nc, logger });
    const rooms = await startRoomsLog({ nc, js, db, logger });
    pushRoomStates({ nc, rooms, logger });
    const rosters = createRosterWatch({ rooms, presence });
    const watches = await startSessionWatches({ nc, rooms, rosters, logger });
    const commands = answerDeviceCommands({ nc, rooms, watches, logger });
    new Gauge({
      name: 'presence_rooms_watching_sessions',
      help: 'Device sessions watching at least one room roster (room.watch).',
      registers: [registry],
      collect() {
        this.set(watches.sessions);
      },
    });
    lifecycle.onShutdown('rooms log', async () => {
      commands.stop();
      watches.stop();
      await rooms.stop();
      presence.stop();
    });
    return { grpc: [roomService({ rooms, presence, rosters, db, logger })] };
  },
});
