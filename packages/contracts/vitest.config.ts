import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The JSON report is what scripts/test.sh totals into one closing line for CI.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest/report.json' },
  },
});
