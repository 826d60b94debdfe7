import type {
  CloudFields,
  ContainerFields,
  DnsFields,
  EndpointFields,
  ErrorFields,
  EventFields,
  FaasFields,
  HostFields,
  HttpFields,
  LogFields,
  NetworkFields,
  OrchestratorFields,
  ProcessFields,
  RuleFields,
  ServiceFields,
  TraceFields,
  UrlFields,
  UserAgentFields,
  UserFields,
} from './ecs.ts';
import type { CloudTrailFields } from './datasets/cloudtrail.ts';
import type { CloudWatchFields } from './datasets/cloudwatch.ts';
import type { ContainerLogFields } from './datasets/container.ts';
import type { GuardDutyFields } from './datasets/guardduty.ts';
import type { LambdaFields } from './datasets/lambda.ts';
import type { Route53ResolverFields } from './datasets/route53-resolver.ts';
import type { VpcFlowFields } from './datasets/vpcflow.ts';

/** Source-specific fields, one object per dataset, beside the CloudWatch Logs coordinates. */
export interface AwsFields {
  cloudwatch: CloudWatchFields;
  vpcflow?: VpcFlowFields;
  cloudtrail?: CloudTrailFields;
  guardduty?: GuardDutyFields;
  route53_resolver?: Route53ResolverFields;
  lambda?: LambdaFields;
  container?: ContainerLogFields;
}

/**
 * One normalized log event: the unit the indexer writes, the archive stores and the alert rules
 * read. ECS names where ECS has them, `aws.<dataset>.*` for the rest.
 */
export interface LogDocument {
  /** Source time of the event (flow end for flow logs), else the CloudWatch Logs event time. */
  '@timestamp': string;
  message?: string;
  tags?: string[];
  event: EventFields;
  cloud: CloudFields;
  aws: AwsFields;
  source?: EndpointFields;
  destination?: EndpointFields;
  network?: NetworkFields;
  user?: UserFields;
  user_agent?: UserAgentFields;
  dns?: DnsFields;
  rule?: RuleFields;
  http?: HttpFields;
  url?: UrlFields;
  error?: ErrorFields;
  log?: LogFields;
  container?: ContainerFields;
  orchestrator?: OrchestratorFields;
  host?: HostFields;
  service?: ServiceFields;
  process?: ProcessFields;
  faas?: FaasFields;
  trace?: TraceFields;
}
