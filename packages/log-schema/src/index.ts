export { DATASETS, isDataset, type Dataset } from './datasets.ts';
export type { AwsFields, LogDocument } from './document.ts';
export type * from './ecs.ts';
export {
  LOG_DOCUMENT_FIELDS,
  catalogueFields,
  type CatalogueField,
  type FieldKind,
  type FieldMapping,
  type FieldTree,
  type NumberFieldKind,
  type StringFieldKind,
} from './mapping.ts';
export type { CloudTrailFields } from './datasets/cloudtrail.ts';
export type { CloudWatchFields } from './datasets/cloudwatch.ts';
export type { ContainerLogFields } from './datasets/container.ts';
export type { GuardDutyFields } from './datasets/guardduty.ts';
export type { LambdaFields } from './datasets/lambda.ts';
export type { Route53ResolverFields } from './datasets/route53-resolver.ts';
export type { VpcFlowFields } from './datasets/vpcflow.ts';
