// Delivery of a rendered notification to Slack (incoming webhook) and SNS, with the retry policy
// of retry.ts. Neither function throws: the result says whether the alert may be marked notified.
//
// Exactly-once is the caller's job and this module's contract: an alert is marked notified in
// DynamoDB only after `ok: true`, and a failure leaves it pending for the next invocation. The one
// duplicate this cannot rule out is an attempt that timed out or lost its connection after the
// service had accepted it: Slack webhooks and standard SNS topics have no idempotency key, so the
// retry may deliver it again. For FIFO topics publishSns sets a deduplication id derived from the
// alert key, and SNS drops such repeats within its 5-minute deduplication window.
import { createHash } from 'node:crypto';
import { PublishCommand, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import type { SnsMessage } from './render.ts';
import {
  failureOf,
  withRetries,
  type AttemptOutcome,
  type DeliveryResult,
  type RetryOptions,
} from './retry.ts';

export type { DeliveryResult, RetryOptions } from './retry.ts';

/**
 * Posts a Block Kit payload to a Slack incoming webhook, retrying network errors, timeouts, 429
 * (after its `Retry-After`) and 5xx. The URL is a credential: it never appears in the result.
 */
export async function sendSlack(
  url: string,
  payload: object,
  options: RetryOptions = {},
): Promise<DeliveryResult> {
  let body: string;
  try {
    body = JSON.stringify(payload);
  } catch (error) {
    // A cycle or a BigInt: no attempt can send this, so it is permanent without one.
    return { ok: false, attempts: 0, permanent: true, error: `payload is not JSON: ${String(error)}` };
  }
  return withRetries(async (timeoutMs): Promise<AttemptOutcome> => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body,
        // A webhook does not redirect; following one would send the message somewhere unvetted.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      return {
        ok: false,
        failure: failureOf(error),
        error: redact(describeFetchError(error, timeoutMs), url),
      };
    }
    // Slack answers `ok`, or the error's name as the body (`no_service`, `invalid_payload`).
    const text = await response.text().catch(() => '');
    if (response.status >= 200 && response.status < 300) return { ok: true };
    const reason = oneLine(text);
    return {
      ok: false,
      failure: { status: response.status },
      error: redact(`Slack answered ${response.status}${reason === '' ? '' : ` ${reason}`}`, url),
      retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
    };
  }, options);
}

/**
 * Publishes a rendered alert to an SNS topic, retrying throttling, 5xx and network errors;
 * NotFound, AuthorizationError, InvalidParameter and KMS access errors are permanent.
 *
 * The SDK client retries on its own first (standard mode: 3 attempts), so each attempt here is
 * what the client reports after its retries. How the client is built is the caller's choice: one
 * built with `maxAttempts: 1` leaves the whole policy to these options.
 */
export async function publishSns(
  client: SNSClient,
  topicArn: string,
  message: SnsMessage,
  options: RetryOptions = {},
): Promise<DeliveryResult> {
  const input: PublishCommandInput = {
    TopicArn: topicArn,
    Subject: message.Subject,
    Message: message.Message,
    MessageAttributes: message.MessageAttributes,
    ...(topicArn.endsWith('.fifo') ? fifoFields(message) : {}),
  };
  return withRetries(async (timeoutMs): Promise<AttemptOutcome> => {
    try {
      await client.send(new PublishCommand(input), { abortSignal: AbortSignal.timeout(timeoutMs) });
      return { ok: true };
    } catch (error) {
      return { ok: false, failure: failureOf(error), error: describeSdkError(error) };
    }
  }, options);
}

/**
 * FIFO topics require a group id, and deduplicate by id: the alert key's hash (the key itself may
 * be longer than the 128 characters allowed), so a redelivered alert is dropped by SNS.
 */
function fifoFields(
  message: SnsMessage,
): Pick<PublishCommandInput, 'MessageGroupId' | 'MessageDeduplicationId'> {
  const key = message.MessageAttributes['alertKey']?.StringValue ?? message.Message;
  const tenant = message.MessageAttributes['tenant']?.StringValue ?? 'alerts';
  return {
    MessageGroupId: tenant.slice(0, 128),
    MessageDeduplicationId: createHash('sha256').update(key).digest('hex'),
  };
}

/** `Retry-After` in milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} (${cause.message})` : cause.message;
  }
  return error.message;
}

function describeSdkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
  return `${error.name}${typeof status === 'number' ? ` (${status})` : ''}: ${oneLine(error.message)}`;
}

/** Removes the webhook URL, and its secret path on its own, from a message meant for logs. */
function redact(message: string, url: string): string {
  let result = message.split(url).join('<webhook>');
  try {
    const { pathname } = new URL(url);
    if (pathname.length > 1) result = result.split(pathname).join('/<redacted>');
  } catch {
    // Not a URL: nothing more to hide than the string itself.
  }
  return result;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
