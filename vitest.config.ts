import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    // Two files at once: most files spend their time in child processes and
    // sockets, so two workers fill the two cores (vitest's default is cores - 1).
    // No test binds the shipped deploy files' fixed ports (docs/decisions.md).
    maxWorkers: 2,
    hookTimeout: 120_000,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
