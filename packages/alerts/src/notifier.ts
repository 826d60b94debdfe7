import type { SNSClient } from '@aws-sdk/client-sns';
import type { Alert, Destinations } from './alert.ts';
import {
  publishSns,
  sendSlack,
  slackPayload,
  snsMessage,
  type LinkOptions,
  type RetryOptions,
  type WebhookResolver,
} from './notify/index.ts';
import type { Delivery, Notifier } from './process.ts';
import type { Channel } from './state.ts';

export interface NotifierOptions {
  /** Where a tenant's alerts go (RuleEngine.destinationsOf). */
  readonly destinationsOf: (tenant: string) => Destinations;
  readonly sns: SNSClient;
  readonly webhooks: WebhookResolver;
  readonly links: LinkOptions;
  /** Attempts and timeouts inside one invocation (the deadline comes per delivery). */
  readonly retry?: Omit<RetryOptions, 'deadline'>;
}

/** Renders and sends an alert to SNS or Slack, with the tenant's destinations. */
export function createNotifier(options: NotifierOptions): Notifier {
  return {
    async deliver(channel: Channel, alert: Alert, deadline: number): Promise<Delivery> {
      try {
        return await send(options, channel, alert, deadline);
      } catch (error) {
        // Rendering failed (an alert stored before its text was made well-formed, a renderer
        // bug): no attempt will do better, so it waits for a person, kept with the reason.
        return {
          ok: false,
          attempts: 0,
          permanent: true,
          error: `cannot render the alert: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
    },
  };
}

async function send(
  options: NotifierOptions,
  channel: Channel,
  alert: Alert,
  deadline: number,
): Promise<Delivery> {
  const destinations = options.destinationsOf(alert.tenant);
  const retry = { ...options.retry, deadline };
  if (channel === 'sns') {
    if (!destinations.snsTopicArn) return missing('sns', alert.tenant);
    return publishSns(options.sns, destinations.snsTopicArn, snsMessage(alert, options.links), retry);
  }
  if (!destinations.slackWebhook) return missing('slack', alert.tenant);
  let url: string;
  try {
    url = await options.webhooks.resolve(destinations.slackWebhook);
  } catch (error) {
    // Secrets Manager or SSM unreachable, or the value is not a webhook: stays pending.
    return {
      ok: false,
      attempts: 1,
      permanent: false,
      error: error instanceof Error ? error.message : String(error),
    };
  }
  return sendSlack(url, slackPayload(alert, options.links), retry);
}

/** The tenant's destination was removed after the alert was raised: kept, waiting for a fix. */
function missing(channel: Channel, tenant: string): Delivery {
  return {
    ok: false,
    attempts: 0,
    permanent: true,
    error: `tenant ${tenant} has no ${channel} destination any more`,
  };
}
