import { runService } from '@presence/runtime';
import { answerDeviceCommands } from './adapters/device-commands.js';
import { startPresenceCache } from './adapters/presence-cache.js';
import { roomService } from './adapters/room-grpc.js';
import { pushRoomStates } from './adapters/room-state-push.js';
import { createRosterWatch } from './adapters/roster-watch.js';
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
  start: async ({ nc, js, db, logger, lifecycle }) => {
    const presence = await startPresenceCache({ nc, logger });
    const rooms = await startRoomsLog({ nc, js, db, logger });
    pushRoomStates({ nc, rooms, logger });
    const commands = answerDeviceCommands({ nc, rooms, logger });
    lifecycle.onShutdown('rooms log', async () => {
      commands.stop();
      await rooms.stop();
      presence.stop();
    });
    const rosters = createRosterWatch({ rooms, presence });
    return { grpc: [roomService({ rooms, presence, rosters, db, logger })] };
  },
});
