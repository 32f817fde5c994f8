import { WebhookAdminServiceService } from '@presence/contracts';
import { unimplementedService } from '@presence/kit';
import { runService } from '@presence/runtime';
import type { CheckpointTables } from '@presence/store';
import { loadConfig, type WebhookConfig } from './config.js';
import { migrations } from './read-models/migrations.js';

const SERVICE = 'presence.v1.WebhookAdminService';

// Incoming chat-room webhooks (RULES.md 9). Until its rules land the service starts, declares its streams, migrates its schema,
// serves health and reflection, and answers every RPC with UNIMPLEMENTED.
await runService<WebhookConfig, CheckpointTables>({
  name: 'webhook-ingest',
  loadConfig,
  streams: ['WEBHOOKS', 'CHAT'],
  database: { schema: 'webhooks', migrations },
  start: async () => ({
    grpc: [
      {
        name: SERVICE,
        definition: WebhookAdminServiceService,
        implementation: unimplementedService(WebhookAdminServiceService, SERVICE),
      },
    ],
  }),
});
