import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // A real DynamoDB-API server for the run (DynamoDB Local from Maven Central, or
    // DYNAMODB_ENDPOINT); without Java the run fails saying what to install.
    globalSetup: ['tests/support/global-setup.ts'],
    // The JSON report is what scripts/test.sh totals into one closing line for CI.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest/report.json' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
