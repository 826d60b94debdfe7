import { createHash } from 'node:crypto';

/** How urgent an alert is; also the SNS message attribute and the Slack colour. */
export type Severity = 'low' | 'medium' | 'high' | 'critical';

export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

/** One field of the evidence shown to whoever receives the alert. */
export interface Evidence {
  readonly field: string;
  readonly value: string;
}

/**
 * One alert: what a rule found, for one tenant, one group and one window. `key` identifies it for
 * deduplication: the same events delivered again (Kinesis retries, replay) produce the same key,
 * and a key is notified at most once.
 */
export interface Alert {
  /** `<rule id>|<tenant>|<group values>|<window start, epoch ms>`: stable for the same events. */
  readonly key: string;
  readonly ruleId: string;
  readonly title: string;
  readonly description?: string | undefined;
  readonly severity: Severity;
  readonly tenant: string;
  /** The account the events are about (CloudTrail's event account, else the log group's owner). */
  readonly account?: string | undefined;
  readonly region?: string | undefined;
  readonly dataset: string;
  /** The first matching event's `@timestamp` (ISO-8601 UTC). */
  readonly time: string;
  /** For windowed rules: the tumbling window the count was taken in. */
  readonly window?: { readonly start: string; readonly end: string } | undefined;
  /** Matching events behind the alert (1 for a match rule). */
  readonly count: number;
  /** The group-by values of threshold and new-value rules, e.g. `{ 'source.ip': '203.0.113.9' }`. */
  readonly group?: Readonly<Record<string, string>> | undefined;
  /** The most telling fields of the first matching event, in the rule's order. */
  readonly evidence: readonly Evidence[];
  /** Up to 10 event ids (`event.id`, the OpenSearch `_id`). */
  readonly eventIds: readonly string[];
  /** OpenSearch Dashboards query (DQL) that finds the matching events. */
  readonly query: string;
  /** The index pattern to search, e.g. `logs-aws.cloudtrail-*`. */
  readonly indexPattern: string;
}

/** Where a tenant's notifications go. */
export interface Destinations {
  /** SNS topic ARN. */
  readonly snsTopicArn?: string | undefined;
  /**
   * Where the Slack incoming-webhook URL is kept: `arn:aws:secretsmanager:…` (SecretString, the
   * URL itself or JSON `{"url": …}`) or `ssm:/path/to/parameter` (SecureString). Never the URL itself.
   */
  readonly slackWebhook?: string | undefined;
}

/** 12 base64url characters (72 bits) of an event id: enough to tell a window's events apart. */
export function shortId(eventId: string): string {
  return createHash('sha1').update(eventId).digest('base64url').slice(0, 12);
}
