import { RoomServiceService } from '@presence/contracts';
import { unimplementedService } from '@presence/kit';
import { runService } from '@presence/runtime';
import type { CheckpointTables } from '@presence/store';
import { loadConfig, type RoomsConfig } from './config.js';
import { migrations } from './read-models/migrations.js';

const SERVICE = 'presence.v1.RoomService';

// Rooms, members and Present / Not Present rosters (RULES.md 6). Until its rules land the service starts, declares its streams, migrates its schema,
// serves health and reflection, and answers every RPC with UNIMPLEMENTED.
await runService<RoomsConfig, CheckpointTables>({
  name: 'room-membership',
  loadConfig,
  streams: ['ROOMS'],
  database: { schema: 'rooms', migrations },
  start: async () => ({
    grpc: [
      {
        name: SERVICE,
        definition: RoomServiceService,
        implementation: unimplementedService(RoomServiceService, SERVICE),
      },
    ],
  }),
});
