import { MeetingServiceService } from '@presence/contracts';
import { unimplementedService } from '@presence/kit';
import { runService } from '@presence/runtime';
import type { CheckpointTables } from '@presence/store';
import { loadConfig, type MeetingsConfig } from './config.js';
import { migrations } from './read-models/migrations.js';

const SERVICE = 'presence.v1.MeetingService';

// Meetings and attendee rosters (RULES.md 8). Until its rules land the service starts, declares its streams, migrates its schema,
// serves health and reflection, and answers every RPC with UNIMPLEMENTED.
await runService<MeetingsConfig, CheckpointTables>({
  name: 'meeting-roster',
  loadConfig,
  streams: ['MEETINGS'],
  database: { schema: 'meetings', migrations },
  start: async () => ({
    grpc: [
      {
        name: SERVICE,
        definition: MeetingServiceService,
        implementation: unimplementedService(MeetingServiceService, SERVICE),
      },
    ],
  }),
});
