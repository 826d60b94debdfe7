/**
 * Every dataset the pipeline produces. The value is ECS `event.dataset` and names the
 * OpenSearch index family (`logs-<dataset>-*`), so it is stable: renaming one is a migration.
 */
export const DATASETS = [
  'aws.vpcflow',
  'aws.cloudtrail',
  'aws.guardduty',
  'aws.route53_resolver',
  'aws.lambda',
  'aws.container',
  'aws.cloudwatch_logs',
] as const;

/** One of {@link DATASETS}. */
export type Dataset = (typeof DATASETS)[number];

/** True when `value` names a dataset this pipeline produces. */
export function isDataset(value: string): value is Dataset {
  return (DATASETS as readonly string[]).includes(value);
}
