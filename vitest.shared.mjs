import { basename } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * One Vitest config shape for every project. Workspace packages resolve to their TypeScript
 * sources through the `@presence/source` export condition, so tests never need a build.
 * Integration and e2e specs share one throwaway PostgreSQL cluster per run (global setup); each
 * spec file starts its own nats-server.
 */
export function projectConfig(dir, overrides = {}) {
  return defineConfig({
    root: dir,
    cacheDir: new URL(`./node_modules/.vite/${basename(dir)}`, import.meta.url).pathname,
    resolve: { conditions: ['@presence/source'] },
    ssr: {
      resolve: { conditions: ['@presence/source'], externalConditions: ['@presence/source'] },
    },
    test: {
      name: basename(dir),
      watch: false,
      environment: 'node',
      include: ['src/**/*.spec.ts'],
      globalSetup: [new URL('./libs/testing/src/global-setup.ts', import.meta.url).pathname],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      ...overrides,
    },
  });
}
