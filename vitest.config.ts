import { defineConfig } from 'vitest/config';

// Two projects: `unit` (no engine, no mirror: pure code on fixtures captured from the real
// archive, plus temporary folders and sh; seconds) and
// `integration` (the real mirror, dpkg, gpgv, the Docker engine). `npm test` runs both, as CI does;
// `npm run test:unit` is the quick local loop.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
