import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  failureOf,
  isRetryable,
  withRetries,
  type AttemptOutcome,
  type DeliveryFailure,
} from '../../src/notify/retry.ts';
import { retryAfterMs } from '../../src/notify/send.ts';

describe('isRetryable: one decision for every way a notification can fail', () => {
  it.each<[string, DeliveryFailure, boolean]>([
    ['Slack rate limit', { status: 429 }, true],
    ['Slack down', { status: 500 }, true],
    ['gateway timeout', { status: 504 }, true],
    ['request timeout', { status: 408 }, true],
    ['our own timeout', { name: 'TimeoutError' }, true],
    ['connection reset', { name: 'TypeError', code: 'ECONNRESET' }, true],
    ['DNS hiccup', { code: 'EAI_AGAIN' }, true],
    [
      'SNS throttled (400 with a throttling trait)',
      { name: 'ThrottledException', status: 400, retryable: true },
      true,
    ],
    ['KMS throttled', { name: 'KMSThrottlingException', status: 400 }, true],
    ['SNS internal error', { name: 'InternalErrorException', status: 500 }, true],
    ['Slack invalid_payload', { status: 400 }, false],
    ['Slack invalid_token', { status: 403 }, false],
    ['Slack no_service', { status: 404 }, false],
    ['Slack channel_is_archived', { status: 410 }, false],
    ['a redirect', { status: 302 }, false],
    ['SNS topic gone', { name: 'NotFoundException', status: 404 }, false],
    ['SNS policy refuses us', { name: 'AuthorizationErrorException', status: 403 }, false],
    ['SNS bad parameter', { name: 'InvalidParameterException', status: 400 }, false],
    ['KMS key disabled', { name: 'KMSDisabledException', status: 400 }, false],
    ['an error nobody has seen', { name: 'Error' }, true],
  ])('%s → %s', (_, failure, expected) => {
    expect(isRetryable(failure)).toBe(expected);
  });
});

describe('failureOf', () => {
  it('reads the cause code fetch hides under "fetch failed"', () => {
    const error = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    expect(failureOf(error)).toEqual({
      name: 'TypeError',
      code: 'ECONNREFUSED',
      status: undefined,
      retryable: undefined,
    });
  });

  it('reads an SDK error: name, status and the retryable trait', () => {
    const error = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottledException',
      $metadata: { httpStatusCode: 400 },
      $retryable: { throttling: true },
    });
    expect(failureOf(error)).toEqual({
      name: 'ThrottledException',
      code: undefined,
      status: 400,
      retryable: true,
    });
  });

  it('survives what is not an Error', () => {
    expect(failureOf('boom')).toEqual({});
    expect(failureOf(null)).toEqual({});
  });
});

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, with full jitter below it', () => {
    const options = { baseMs: 100, maxMs: 1_000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, options, () => 1))).toEqual([
      100, 200, 400, 800, 1_000,
    ]);
    expect(backoffDelay(4, options, () => 0)).toBe(0);
  });
});

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP dates, and ignores what it cannot read', () => {
    expect(retryAfterMs('30')).toBe(30_000);
    expect(retryAfterMs(' 0 ')).toBe(0);
    const now = Date.parse('2025-03-01T10:00:00Z');
    expect(retryAfterMs('Sat, 01 Mar 2025 10:00:05 GMT', now)).toBe(5_000);
    expect(retryAfterMs('Sat, 01 Mar 2025 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});

describe('withRetries', () => {
  const failing = (failure: DeliveryFailure, retryAfter?: number): AttemptOutcome => ({
    ok: false,
    failure,
    error: 'failed',
    retryAfterMs: retryAfter,
  });

  it('waits the backoff between attempts, and not after the last', async () => {
    const waits: number[] = [];
    const result = await withRetries(async () => failing({ status: 503 }), {
      attempts: 4,
      baseDelayMs: 100,
      maxDelayMs: 1_000,
      random: () => 1,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(waits).toEqual([100, 200, 400]);
    expect(result).toEqual({
      ok: false,
      attempts: 4,
      permanent: false,
      error: 'failed (gave up after 4 attempts)',
    });
  });

  it('gives each attempt at most the time left before the deadline', async () => {
    const timeouts: number[] = [];
    await withRetries(
      async (timeoutMs) => {
        timeouts.push(timeoutMs);
        return { ok: true };
      },
      { timeoutMs: 5_000, deadline: Date.now() + 1_000 },
    );
    expect(timeouts[0]).toBeLessThanOrEqual(1_000);
    expect(timeouts[0]).toBeGreaterThan(900);
  });

  it('does not start when the deadline has passed', async () => {
    let called = false;
    const result = await withRetries(
      async () => {
        called = true;
        return { ok: true };
      },
      { deadline: Date.now() - 1 },
    );
    expect(called).toBe(false);
    expect(result).toMatchObject({ ok: false, attempts: 0, permanent: false });
  });

  it('prefers the service’s Retry-After to its own backoff', async () => {
    const waits: number[] = [];
    let attempt = 0;
    const result = await withRetries(
      async () => (++attempt === 1 ? failing({ status: 429 }, 1_500) : { ok: true }),
      { random: () => 1, sleep: async (ms) => void waits.push(ms) },
    );
    expect(result).toEqual({ ok: true, attempts: 2 });
    expect(waits).toEqual([1_500]);
  });

  it('turns an attempt that throws into a failure instead of throwing', async () => {
    const result = await withRetries(
      async () => {
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      },
      { attempts: 2, sleep: async () => undefined },
    );
    expect(result).toMatchObject({ ok: false, attempts: 2, permanent: false });
  });
});
