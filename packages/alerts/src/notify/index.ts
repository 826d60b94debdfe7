// Notifications: render an alert for SNS and Slack, find the Slack webhook, deliver with retries.
export { discoverUrl, discoverTimeRange, type LinkOptions } from './discover-url.ts';
export {
  SLACK_EVIDENCE_MAX,
  slackPayload,
  snsMessage,
  snsSubject,
  type SlackBlock,
  type SlackPayload,
  type SlackText,
  type SnsMessage,
} from './render.ts';
export {
  backoffDelay,
  failureOf,
  isRetryable,
  RETRY_DEFAULTS,
  type DeliveryFailure,
  type DeliveryResult,
  type RetryOptions,
} from './retry.ts';
export { publishSns, retryAfterMs, sendSlack } from './send.ts';
export {
  createWebhookResolver,
  parseReference,
  type WebhookStore,
  WebhookSecretError,
  type WebhookResolver,
  type WebhookResolverOptions,
} from './webhook-secret.ts';
