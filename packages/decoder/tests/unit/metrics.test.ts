import { describe, expect, it } from 'vitest';
import { emfLine } from '../../src/index.ts';

describe('emfLine', () => {
  it('declares every count as a Count metric under the namespace and dimension', () => {
    const line = JSON.parse(
      emfLine(
        'CentralLogging',
        { Service: 'indexer' },
        { indexed: 5, failedRecords: 0 },
        { requestId: 'r' },
        1700000000000,
      ),
    );
    expect(line).toEqual({
      _aws: {
        Timestamp: 1700000000000,
        CloudWatchMetrics: [
          {
            Namespace: 'CentralLogging',
            Dimensions: [['Service']],
            Metrics: [
              { Name: 'indexed', Unit: 'Count' },
              { Name: 'failedRecords', Unit: 'Count' },
            ],
          },
        ],
      },
      requestId: 'r',
      Service: 'indexer',
      indexed: 5,
      failedRecords: 0,
    });
  });
});
