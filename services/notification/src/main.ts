import { NotificationServiceService } from '@presence/contracts';
import { unimplementedService } from '@presence/kit';
import { runService } from '@presence/runtime';
import type { CheckpointTables } from '@presence/store';
import { loadConfig, type NotificationConfig } from './config.js';
import { migrations } from './read-models/migrations.js';

const SERVICE = 'presence.v1.NotificationService';

// Mentions and notification routing (RULES.md 7). Until its rules land the service starts, declares its streams, migrates its schema,
// serves health and reflection, and answers every RPC with UNIMPLEMENTED.
await runService<NotificationConfig, CheckpointTables>({
  name: 'notification',
  loadConfig,
  streams: ['NOTIFICATIONS', 'CHAT'],
  database: { schema: 'notifications', migrations },
  start: async () => ({
    grpc: [
      {
        name: SERVICE,
        definition: NotificationServiceService,
        implementation: unimplementedService(NotificationServiceService, SERVICE),
      },
    ],
  }),
});
