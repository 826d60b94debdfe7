import { describe, expect, it } from 'vitest';
import { AGREEMENT_SPECS, formatAgreementTable, measureAgreement } from '../support/agreement.ts';

describe('full-pipeline agreement with third-party expected outputs', () => {
  const rows = measureAgreement();
  console.log(formatAgreementTable(rows));

  it.each(rows.map((row) => [`${row.source} ${row.fixture}`, row] as const))(
    '%s agrees on every compared field',
    (_name, row) => {
      expect(row.disagreements).toEqual([]);
      expect(row.agreed).toBe(row.compared);
    },
  );

  it.each(AGREEMENT_SPECS.map((spec) => spec.source))(
    '%s compares fields (the report cannot silently become empty)',
    (source) => {
      const compared = rows.filter((row) => row.source === source).reduce((n, row) => n + row.compared, 0);
      expect(compared).toBeGreaterThan(0);
    },
  );
});
