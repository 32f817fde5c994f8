import { defineConfig } from 'vitest/config';

// `vitest run` at the root runs every project's specs in one process (see vitest.shared.mjs).
export default defineConfig({
  test: {
    projects: [
      'libs/*/vitest.config.mts',
      'services/*/vitest.config.mts',
      'test/vitest.config.mts',
    ],
  },
});
