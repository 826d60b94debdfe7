// Guardrail 3: log data has a retention period. A log group without retentionInDays keeps its events
// forever (and bills for them forever); a Kinesis stream must keep records at least a day so the
// pipeline can catch up after an outage.
import { defineResourcePolicy } from '../define.ts';
import { Unknown, at } from '../inputs.ts';
import { KINESIS_STREAM, LOG_GROUP } from '../resource-types.ts';
import { shown } from './common.ts';

/** Configuration of the `log-retention` policy. */
export interface LogRetentionConfig {
  /** Shortest log group retention accepted, in days. */
  minRetentionDays: number;
  /** Longest log group retention accepted, in days. */
  maxRetentionDays: number;
  /** Shortest Kinesis stream retention accepted, in hours. */
  minKinesisRetentionHours: number;
}

export const LOG_RETENTION_DEFAULTS: LogRetentionConfig = {
  minRetentionDays: 1,
  maxRetentionDays: 3653,
  minKinesisRetentionHours: 24,
};

/** The only retention values CloudWatch Logs accepts (CloudWatch Logs API, PutRetentionPolicy). */
export const CLOUDWATCH_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

// A stream created without retentionPeriod keeps records for 24 hours (Kinesis API, CreateStream).
const KINESIS_DEFAULT_RETENTION_HOURS = 24;

/** Log groups and Kinesis streams keep data for a bounded, deliberate time. */
export const logRetention = defineResourcePolicy<LogRetentionConfig>({
  name: 'log-retention',
  description:
    'Every CloudWatch log group sets retentionInDays to a CloudWatch-accepted value within the configured bounds, and Kinesis streams keep records at least the configured hours.',
  severity: 'medium',
  remediationSteps:
    'Set retentionInDays on the log group (e.g. 30, 90 or 365) and retentionPeriod on Kinesis streams (hours, at least 24).',
  defaults: LOG_RETENTION_DEFAULTS,
  configSchema: {
    properties: {
      minRetentionDays: {
        type: 'integer',
        minimum: 1,
        default: LOG_RETENTION_DEFAULTS.minRetentionDays,
        description: 'Shortest log group retention accepted, in days.',
      },
      maxRetentionDays: {
        type: 'integer',
        minimum: 1,
        default: LOG_RETENTION_DEFAULTS.maxRetentionDays,
        description: 'Longest log group retention accepted, in days.',
      },
      minKinesisRetentionHours: {
        type: 'integer',
        minimum: 24,
        default: LOG_RETENTION_DEFAULTS.minKinesisRetentionHours,
        description: 'Shortest Kinesis stream retention accepted, in hours.',
      },
    },
  },
  checks: {
    [LOG_GROUP]: ({ props, config, report, skip }) => {
      const days = at(props, 'retentionInDays');
      if (days instanceof Unknown) return skip(days);
      const { minRetentionDays: min, maxRetentionDays: max } = config;
      const accepted = CLOUDWATCH_RETENTION_DAYS.filter((value) => value >= min && value <= max);
      const choices = `one of ${accepted.join(', ')}`;
      // 0 or no value means "never expire" to CloudWatch Logs.
      if (typeof days !== 'number' || days === 0) {
        return report(`retentionInDays is ${shown(days)}, so events never expire: set it to ${choices}.`);
      }
      if (!CLOUDWATCH_RETENTION_DAYS.includes(days)) {
        return report(
          `retentionInDays is ${days}, which CloudWatch Logs does not accept: set it to ${choices}.`,
        );
      }
      if (days < min || days > max) {
        report(`retentionInDays is ${days}, outside the allowed ${min}..${max} days: set it to ${choices}.`);
      }
    },
    [KINESIS_STREAM]: ({ props, config, report, skip }) => {
      const hours = at(props, 'retentionPeriod');
      if (hours instanceof Unknown) return skip(hours);
      const effective = typeof hours === 'number' ? hours : KINESIS_DEFAULT_RETENTION_HOURS;
      if (effective < config.minKinesisRetentionHours) {
        report(
          `retentionPeriod is ${effective} hours: set it to at least ${config.minKinesisRetentionHours} so the pipeline can catch up after an outage.`,
        );
      }
    },
  },
});
