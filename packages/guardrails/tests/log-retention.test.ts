import { describe, expect, it } from 'vitest';
import { CLOUDWATCH_RETENTION_DAYS, logRetention as policy } from '../src/policies.ts';
import { kinesisStream, messages, pipelineLogGroup, withProps, withoutProps } from './support/resources.ts';

const ALL_CHOICES = CLOUDWATCH_RETENTION_DAYS.join(', ');

describe('log-retention', () => {
  describe('log groups', () => {
    it.each(CLOUDWATCH_RETENTION_DAYS)('accepts retentionInDays %i', async (days) => {
      expect(await messages(policy, withProps(pipelineLogGroup(), { retentionInDays: days }))).toEqual([]);
    });

    it('refuses a log group without retention, whose events never expire', async () => {
      expect(await messages(policy, withoutProps(pipelineLogGroup(), 'retentionInDays'))).toEqual([
        `retentionInDays is not set, so events never expire: set it to one of ${ALL_CHOICES}.`,
      ]);
    });

    it('refuses 0, which CloudWatch reads as "never expire"', async () => {
      expect(await messages(policy, withProps(pipelineLogGroup(), { retentionInDays: 0 }))).toEqual([
        `retentionInDays is 0, so events never expire: set it to one of ${ALL_CHOICES}.`,
      ]);
    });

    it('refuses a value CloudWatch Logs does not accept', async () => {
      expect(await messages(policy, withProps(pipelineLogGroup(), { retentionInDays: 45 }))).toEqual([
        `retentionInDays is 45, which CloudWatch Logs does not accept: set it to one of ${ALL_CHOICES}.`,
      ]);
    });

    it('applies the configured bounds', async () => {
      const config = { 'log-retention': { minRetentionDays: 30, maxRetentionDays: 400 } };
      const choices = 'one of 30, 60, 90, 120, 150, 180, 365, 400';
      expect(await messages(policy, withProps(pipelineLogGroup(), { retentionInDays: 14 }), config)).toEqual([
        `retentionInDays is 14, outside the allowed 30..400 days: set it to ${choices}.`,
      ]);
      expect(await messages(policy, withProps(pipelineLogGroup(), { retentionInDays: 731 }), config)).toEqual(
        [`retentionInDays is 731, outside the allowed 30..400 days: set it to ${choices}.`],
      );
      expect(await messages(policy, withProps(pipelineLogGroup(), { retentionInDays: 90 }), config)).toEqual(
        [],
      );
    });
  });

  describe('Kinesis streams', () => {
    it('accepts 48 hours, and the 24-hour default when retentionPeriod is not set', async () => {
      expect(await messages(policy, kinesisStream())).toEqual([]);
      expect(await messages(policy, withoutProps(kinesisStream(), 'retentionPeriod'))).toEqual([]);
    });

    it('refuses less than a day', async () => {
      expect(await messages(policy, withProps(kinesisStream(), { retentionPeriod: 12 }))).toEqual([
        'retentionPeriod is 12 hours: set it to at least 24 so the pipeline can catch up after an outage.',
      ]);
    });

    it('applies the configured minimum, to the default too', async () => {
      const config = { 'log-retention': { minKinesisRetentionHours: 72 } };
      expect(await messages(policy, withoutProps(kinesisStream(), 'retentionPeriod'), config)).toEqual([
        'retentionPeriod is 24 hours: set it to at least 72 so the pipeline can catch up after an outage.',
      ]);
    });
  });
});
