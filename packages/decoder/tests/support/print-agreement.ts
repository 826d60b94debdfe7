// Prints the full-pipeline agreement table: `pnpm --filter @central-logging/decoder agreement`.
import { formatAgreementTable, measureAgreement } from './agreement.ts';

const rows = measureAgreement();
process.stdout.write(`${formatAgreementTable(rows)}\n`);
for (const row of rows) {
  for (const d of row.disagreements) process.stdout.write(`${row.source} ${row.fixture} ${d}\n`);
}
