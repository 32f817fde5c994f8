// @presence/testing: real servers for integration and end-to-end specs (never mocks).
// The Vitest global setup lives in ./global-setup.ts and is wired in vitest.shared.mjs.
export { startNatsServer } from './nats-server.js';
export type { NatsServerHandle, StartNatsServerOptions } from './nats-server.js';
export { createTestDatabase } from './test-database.js';
export type { TestDatabase } from './test-database.js';
export { POSTGRES_ADMIN_URL } from './provided-context.js';
