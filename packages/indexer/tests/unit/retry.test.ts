import { describe, expect, it } from 'vitest';
import { backoffDelay, retryability, type Failure, type Retryability } from '../../src/retry.ts';

describe('retryability: one decision for every way a document can fail to index', () => {
  it.each<[string, Failure, Retryability]>([
    ['created', { status: 201 }, 'done'],
    [
      'already indexed by an earlier delivery',
      { status: 409, type: 'version_conflict_engine_exception' },
      'done',
    ],
    ['thread pool full', { status: 429, type: 'es_rejected_execution_exception' }, 'retry'],
    ['circuit breaker', { status: 429, type: 'circuit_breaking_exception' }, 'retry'],
    ['node unavailable', { status: 503 }, 'retry'],
    ['primary shard relocating', { status: 503, type: 'unavailable_shards_exception' }, 'retry'],
    ['gateway timeout', { status: 504 }, 'retry'],
    ['internal error', { status: 500 }, 'retry'],
    ['connection reset', { code: 'ECONNRESET' }, 'retry'],
    ['connection refused (node restarting)', { code: 'ECONNREFUSED' }, 'retry'],
    ['client timeout', { code: 'TimeoutError' }, 'retry'],
    ['client connection error', { code: 'ConnectionError' }, 'retry'],
    [
      "a body that is not JSON (a proxy's error page, an answer cut off)",
      { code: 'DeserializationError' },
      'retry',
    ],
    ['mapping conflict', { status: 400, type: 'mapper_parsing_exception' }, 'dead_letter'],
    ['illegal argument', { status: 400, type: 'illegal_argument_exception' }, 'dead_letter'],
    ['document too large', { status: 413 }, 'dead_letter'],
    ['disk full: index read-only', { status: 429, type: 'cluster_block_exception' }, 'hold'],
    ['disk full, older versions', { status: 403, type: 'cluster_block_exception' }, 'hold'],
    ['role not mapped', { status: 403, type: 'security_exception' }, 'hold'],
    ['credentials refused', { status: 401 }, 'hold'],
    ['auto-create off, no index', { status: 404, type: 'index_not_found_exception' }, 'hold'],
    [
      'shard limit reached: no new daily index',
      {
        status: 400,
        type: 'validation_exception',
        reason:
          'Validation Failed: 1: this action would add [2] total shards, but this cluster currently has [1000]/[1000] maximum shards open;',
      },
      'hold',
    ],
    [
      'any other validation failure',
      { status: 400, type: 'validation_exception', reason: 'Validation Failed: 1: id is too long;' },
      'dead_letter',
    ],
    ['an error nobody has seen', { code: 'ESOMETHINGNEW' }, 'hold'],
  ])('%s → %s', (_, failure, expected) => {
    expect(retryability(failure)).toBe(expected);
  });
});

describe('backoffDelay', () => {
  const options = { baseMs: 100, maxMs: 2_000 };

  it('grows exponentially up to the cap, with full jitter below it', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, options, () => 1))).toEqual([
      100, 200, 400, 800, 1600, 2000,
    ]);
    expect(backoffDelay(3, options, () => 0)).toBe(0);
    for (let i = 0; i < 1_000; i++) {
      const delay = backoffDelay(1 + (i % 10), options);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(2_000);
    }
  });
});
