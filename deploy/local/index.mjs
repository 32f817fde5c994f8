// @presence/local: bootstrap for `npm start` and `npm test`. Plain Node.js with no dependencies,
// because it runs before `npm install` on a fresh machine. Types and docs: index.d.mts.
export { ensureNodeModules } from './npm-install.mjs';
export { ensureNatsServer, ensurePostgres } from './system-packages.mjs';
export { freePort, isPortInUseError } from './ports.mjs';
export { startNats } from './nats.mjs';
export { startPostgres } from './postgres.mjs';
export { createDatabase } from './create-database.mjs';
export { startThrowawayPostgres } from './throwaway-postgres.mjs';
