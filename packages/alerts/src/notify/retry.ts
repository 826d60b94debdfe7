// The retry policy for notifications, in one place: which failures are worth another attempt,
// how long to wait, and when to stop. A failure that outlasts the attempts is not an error to
// throw: the caller keeps the alert pending (DynamoDB) and tries again on its next invocation.
import { backoffDelay } from '@central-logging/decoder';

export { backoffDelay };

/** A failed delivery attempt, as the network, Slack or the AWS SDK reported it. Any field may be missing. */
export interface DeliveryFailure {
  /** HTTP status: Slack's response, or the SDK error's `$metadata.httpStatusCode`. */
  readonly status?: number | undefined;
  /** Error name: the SDK exception (`ThrottledException`), or `TimeoutError` for our own timeout. */
  readonly name?: string | undefined;
  /** Node.js / undici error code, e.g. `ECONNRESET`, `UND_ERR_SOCKET`. */
  readonly code?: string | undefined;
  /** The SDK marked the error retryable (its `$retryable` trait, set on throttling errors). */
  readonly retryable?: boolean | undefined;
}

/** Failures that are the service being busy or briefly away. */
const TRANSIENT = new Set([
  // Our per-attempt timeout (AbortSignal.timeout), and timeouts the SDK reports.
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  // What the SDK's HTTP handler throws when our per-attempt abortSignal fires.
  'AbortError',
  // SNS and the AWS throttling family (@smithy/core retry: THROTTLING_ERROR_CODES).
  'ThrottledException',
  'KMSThrottlingException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'InternalErrorException',
  'InternalFailure',
  'ServiceUnavailable',
  // Network: the request may or may not have reached the service.
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Failures no retry fixes: the destination is gone or refuses us until an operator changes
 * something (SNS: topic deleted, topic or KMS key policy, bad parameters).
 */
const PERMANENT = new Set([
  'NotFoundException',
  'AuthorizationErrorException',
  'InvalidParameterException',
  'InvalidParameterValueException',
  'InvalidSecurityException',
  'ValidationException',
  'EndpointDisabledException',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSOptInRequired',
  'AccessDeniedException',
  'ResourceNotFoundException',
  // The SDK could not serialize the request (a lone surrogate): the same request fails again.
  'URIError',
]);

/**
 * The one decision: is another attempt worth making? 429, 408 and 5xx are; other 4xx (Slack's
 * 400 `invalid_payload`, 403 `invalid_token`, 404 `no_service`, 410 `channel_is_archived`) and
 * 3xx are not. An error nobody has classified counts as retryable: calling it permanent could
 * make a caller give up on an alert, while retrying it only costs an attempt.
 */
export function isRetryable(failure: DeliveryFailure): boolean {
  const { status, name, code, retryable } = failure;
  if (name !== undefined && PERMANENT.has(name)) return false;
  if (retryable === true) return true;
  if ((name !== undefined && TRANSIENT.has(name)) || (code !== undefined && TRANSIENT.has(code))) return true;
  if (status === undefined) return true;
  return status === 429 || status === 408 || status >= 500;
}

/** Reads a thrown error (fetch, AbortSignal, AWS SDK) into a DeliveryFailure. */
export function failureOf(error: unknown): DeliveryFailure {
  if (typeof error !== 'object' || error === null) return {};
  const e = error as {
    name?: unknown;
    code?: unknown;
    cause?: unknown;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  // fetch wraps network errors: TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }).
  const cause = typeof e.cause === 'object' && e.cause !== null ? (e.cause as { code?: unknown }) : undefined;
  const code = typeof e.code === 'string' ? e.code : typeof cause?.code === 'string' ? cause.code : undefined;
  const status = e.$metadata?.httpStatusCode;
  return {
    name: typeof e.name === 'string' ? e.name : undefined,
    code,
    status: typeof status === 'number' ? status : undefined,
    retryable: e.$retryable !== undefined && e.$retryable !== null ? true : undefined,
  };
}

/** How notifications are retried inside one invocation. */
export interface RetryOptions {
  /** Attempts in total, the first included. Default 3. */
  readonly attempts?: number;
  /** Backoff before the second attempt, doubling after (full jitter). Default 200 ms. */
  readonly baseDelayMs?: number;
  /** Backoff cap. Default 2,000 ms. */
  readonly maxDelayMs?: number;
  /** Time limit for one attempt. Default 5,000 ms. */
  readonly timeoutMs?: number;
  /**
   * Epoch milliseconds by which the whole delivery must be done, e.g. `Date.now() +
   * context.getRemainingTimeInMillis() - <time to record the outcome>`. Default: 30 s from the start.
   */
  readonly deadline?: number;
  /** For tests. */
  readonly random?: () => number;
  /** For tests. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export const RETRY_DEFAULTS = {
  attempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  timeoutMs: 5_000,
  budgetMs: 30_000,
} as const;

/** What delivering one notification came to. Never thrown: returned. */
export type DeliveryResult =
  | { readonly ok: true; readonly attempts: number }
  | {
      readonly ok: false;
      readonly attempts: number;
      /** True when retrying later will not help without an operator's change (webhook revoked, topic gone). */
      readonly permanent: boolean;
      readonly error: string;
    };

/** One attempt's outcome, as a transport reports it to the loop. */
export type AttemptOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly failure: DeliveryFailure;
      /** A short description, free of credentials (the webhook URL is one). */
      readonly error: string;
      /** The service's own `Retry-After`, in milliseconds. */
      readonly retryAfterMs?: number | undefined;
    };

/**
 * Runs `attempt` until it succeeds, fails permanently, runs out of attempts, or would overrun the
 * deadline. Each attempt gets the time it may take (the per-attempt timeout, cut to what is left).
 */
export async function withRetries(
  attempt: (timeoutMs: number) => Promise<AttemptOutcome>,
  options: RetryOptions = {},
): Promise<DeliveryResult> {
  const maxAttempts = Math.max(1, options.attempts ?? RETRY_DEFAULTS.attempts);
  const timeoutMs = options.timeoutMs ?? RETRY_DEFAULTS.timeoutMs;
  const deadline = options.deadline ?? Date.now() + RETRY_DEFAULTS.budgetMs;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const backoff = {
    baseMs: options.baseDelayMs ?? RETRY_DEFAULTS.baseDelayMs,
    maxMs: options.maxDelayMs ?? RETRY_DEFAULTS.maxDelayMs,
  };

  let attempts = 0;
  let lastError = 'deadline reached before the first attempt';
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { ok: false, attempts, permanent: false, error: lastError };
    attempts += 1;
    const outcome = await attempt(Math.min(timeoutMs, remaining)).catch(
      // Transports report failures as values; this only keeps the promise that nothing throws.
      (error: unknown): AttemptOutcome => ({ ok: false, failure: failureOf(error), error: String(error) }),
    );
    if (outcome.ok) return { ok: true, attempts };
    lastError = `${outcome.error} (deadline reached after ${attempts} attempts)`;

    const failed = (error: string, permanent = false): DeliveryResult => ({
      ok: false,
      attempts,
      permanent,
      error,
    });
    if (!isRetryable(outcome.failure)) return failed(outcome.error, true);
    if (attempts >= maxAttempts) return failed(`${outcome.error} (gave up after ${attempts} attempts)`);

    const left = deadline - Date.now();
    if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs >= left) {
      // Retrying sooner than the service asked would only be refused again: leave it for later.
      return failed(`${outcome.error} (Retry-After ${outcome.retryAfterMs} ms exceeds the ${left} ms left)`);
    }
    const delay = outcome.retryAfterMs ?? backoffDelay(attempts, backoff, options.random);
    if (delay >= left) return failed(`${outcome.error} (no time left for another attempt)`);
    await sleep(delay);
  }
}
