import { projectConfig } from '../vitest.shared.mjs';

// Cross-service specs: end-to-end flows through real processes, and proofs that tooling rules fire.
export default projectConfig(import.meta.dirname, {
  name: 'e2e',
  include: ['**/*.spec.ts'],
  exclude: ['**/node_modules/**', 'lint/fixtures/**'],
});
