import { describe, expect, it } from 'vitest';
import { DATASETS, isDataset } from '../src/index.ts';

describe('DATASETS', () => {
  it('are unique and usable in an OpenSearch index name (logs-<dataset>-*: lower case, no spaces, no *,\\/?"<>|#:)', () => {
    expect(new Set(DATASETS).size).toBe(DATASETS.length);
    for (const dataset of DATASETS) expect(dataset).toMatch(/^aws\.[a-z0-9_]+$/);
  });

  it('isDataset accepts exactly the listed names', () => {
    for (const dataset of DATASETS) expect(isDataset(dataset)).toBe(true);
    for (const other of [
      '',
      'aws',
      'aws.VPCFLOW',
      'aws.vpcflow ',
      'logs-aws.vpcflow',
      'constructor',
      '__proto__',
    ]) {
      expect(isDataset(other)).toBe(false);
    }
  });
});
