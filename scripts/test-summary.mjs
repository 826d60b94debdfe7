// Totals the vitest JSON reports of every project into one closing line, so a reader (or CI)
// sees at a glance how many tests ran: "tests: N passed, N failed".
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let projects = 0;
for (const dir of ['packages', 'apps']) {
  if (!existsSync(join(root, dir))) continue;
  for (const name of readdirSync(join(root, dir))) {
    const report = join(root, dir, name, '.vitest', 'report.json');
    if (!existsSync(report)) continue;
    const { numPassedTests, numFailedTests } = JSON.parse(readFileSync(report, 'utf8'));
    passed += numPassedTests;
    failed += numFailedTests;
    projects++;
  }
}
console.log(`tests (${projects} projects): ${passed} passed, ${failed} failed`);
