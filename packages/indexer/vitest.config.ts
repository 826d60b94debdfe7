import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // One real OpenSearch node for the run (fetched from Maven Central and started, or
    // OPENSEARCH_URL); without Java and without OPENSEARCH_URL the run fails saying what to install.
    globalSetup: ['tests/support/global-setup.ts'],
    // Files share the node, and the fault test restarts it: one file at a time.
    fileParallelism: false,
    // The JSON report is what scripts/test.sh totals into one closing line for CI.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest/report.json' },
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
