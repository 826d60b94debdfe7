import { isCloudTrailRecord } from './parse/cloudtrail.ts';
import { isContainerRecord } from './parse/container.ts';
import { isGuardDutyFinding } from './parse/guardduty.ts';
import { isLambdaPlatformLine } from './parse/lambda.ts';
import { isRoute53ResolverQuery } from './parse/route53-resolver.ts';
import { looksLikeVpcFlowLog } from './parse/vpc-flow-log.ts';

/** The log formats the decoder knows, by parser. */
export const SOURCES = [
  'vpcflow',
  'cloudtrail',
  'guardduty',
  'route53_resolver',
  'lambda',
  'container',
  'generic',
] as const;

/** One of {@link SOURCES}. */
export type Source = (typeof SOURCES)[number];

/** Log groups whose name matches `pattern` hold `source` logs. */
export interface LogGroupRule {
  readonly pattern: RegExp;
  readonly source: Source;
}

/**
 * Naming conventions AWS and common setups use. Prefix rules come first, so a function called
 * `cloudtrail-forwarder` (log group `/aws/lambda/cloudtrail-forwarder`) is a Lambda, not CloudTrail.
 */
export const DEFAULT_LOG_GROUP_RULES: readonly LogGroupRule[] = [
  { pattern: /^\/aws\/lambda\//, source: 'lambda' },
  { pattern: /^\/aws\/(?:containerinsights|eks|ecs)\//, source: 'container' },
  { pattern: /^\/ecs\//, source: 'container' },
  // AWS's prefix for public hosted-zone query logs (text); Resolver query logs (JSON) may share it.
  { pattern: /^\/aws\/route53\//, source: 'route53_resolver' },
  { pattern: /resolver[-_/]?query/i, source: 'route53_resolver' },
  { pattern: /guardduty/i, source: 'guardduty' },
  { pattern: /cloudtrail/i, source: 'cloudtrail' },
  { pattern: /flow[-_]?logs?/i, source: 'vpcflow' },
  { pattern: /fluent-?bit/i, source: 'container' },
];

/** The first rule's source for a log group, or undefined when no rule matches. */
export function sourceForLogGroup(logGroup: string, rules: readonly LogGroupRule[]): Source | undefined {
  for (const rule of rules) {
    if (rule.pattern.test(logGroup)) return rule.source;
  }
  return undefined;
}

/** What content sniffing found, with the parsed JSON so no parser parses it again. */
export interface ContentDetection {
  readonly source: Source;
  readonly json?: unknown;
}

/**
 * Detects the source of one message from its content, for log groups no rule names. JSON is
 * parsed at most once here and handed on.
 */
export function sourceForContent(message: string): ContentDetection {
  if (message.charCodeAt(0) === 0x7b /* { */) {
    let json: unknown;
    try {
      json = JSON.parse(message);
    } catch {
      return { source: 'generic' };
    }
    if (isCloudTrailRecord(json)) return { source: 'cloudtrail', json };
    if (isGuardDutyFinding(json)) return { source: 'guardduty', json };
    if (isRoute53ResolverQuery(json)) return { source: 'route53_resolver', json };
    if (isContainerRecord(json)) return { source: 'container', json };
    if (isLambdaPlatformLine(message)) return { source: 'lambda', json };
    return { source: 'generic', json };
  }
  if (isLambdaPlatformLine(message)) return { source: 'lambda' };
  if (looksLikeVpcFlowLog(message)) return { source: 'vpcflow' };
  return { source: 'generic' };
}
