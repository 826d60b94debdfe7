import { gunzipSync } from 'node:zlib';
import type { Client } from '@opensearch-project/opensearch';
import type { LogDocument } from '@central-logging/log-schema';
import { describe, expect, it } from 'vitest';
import { bulkIndex, chunkByBytes, DEFAULT_BULK_OPTIONS, forEachConcurrently } from '../../src/bulk.ts';
import { deadLetterBody, deadLetterKey, type DeadLetter } from '../../src/dead-letter.ts';

describe('chunkByBytes', () => {
  const entries = (...sizes: number[]) => sizes.map((bytes, i) => ({ i, bytes }));

  it('cuts consecutive runs at the byte limit, keeping order', () => {
    const chunks = chunkByBytes(entries(4, 4, 4, 1, 9, 2), 9);
    expect(chunks.map((c) => c.map((e) => e.i))).toEqual([[0, 1], [2, 3], [4], [5]]);
  });

  it('sends an entry larger than the limit alone (the node decides)', () => {
    expect(chunkByBytes(entries(20, 1), 9).map((c) => c.length)).toEqual([1, 1]);
    expect(chunkByBytes([], 9)).toEqual([]);
  });
});

describe('bulkIndex near the deadline', () => {
  it('sends no request with less than a second left: the items fail, saying why', async () => {
    let requests = 0;
    const client = {
      transport: {
        request: () => {
          requests++;
          return Promise.reject(new Error('no request expected'));
        },
      },
    } as unknown as Client;
    const items = ['a', 'b'].map((id) => ({
      index: 'logs-aws.lambda-2023.11.14',
      id,
      document: { event: { id } } as LogDocument,
      source: id,
    }));
    const outcome = await bulkIndex(client, items, { ...DEFAULT_BULK_OPTIONS, deadline: Date.now() + 50 });
    expect(requests).toBe(0);
    expect(outcome).toMatchObject({ indexed: 0, requests: 0, deadLetters: [] });
    expect(outcome.failed.map((f) => [f.item.id, f.retryability])).toEqual([
      ['a', 'retry'],
      ['b', 'retry'],
    ]);
    expect(outcome.failed[0]?.reason).toMatch(/^\d+ ms left before the deadline, too little for a request$/);
  });
});

describe('forEachConcurrently', () => {
  it('never has more than `limit` tasks in flight and runs each once', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await forEachConcurrently([...Array(20).keys()], 3, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, n % 4));
      seen.push(n);
      inFlight--;
    });
    expect(peak).toBe(3);
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
  });
});

describe('dead letters', () => {
  it('are gzip NDJSON under a dated, collision-free key', () => {
    const letter: DeadLetter = {
      reason: '400 mapper_parsing_exception: failed to parse field [source.port]',
      type: 'mapper_parsing_exception',
      status: 400,
      source: { shardId: 'shardId-000000000001', sequenceNumber: '4958' },
      id: '3719',
      at: '2026-11-23T10:00:00.000Z',
    };
    const lines = gunzipSync(deadLetterBody([letter, letter]))
      .toString()
      .trimEnd()
      .split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([letter, letter]);
    const now = new Date('2026-11-23T10:00:00.000Z');
    const key = deadLetterKey('dead-letter/indexer/', 'shardId-000000000001', now);
    expect(key).toMatch(
      /^dead-letter\/indexer\/2026\/11\/23\/shardId-000000000001-20261123T100000000Z-[0-9a-f-]{36}\.ndjson\.gz$/,
    );
    expect(deadLetterKey('', 'a/b c', now)).not.toBe(deadLetterKey('', 'a/b c', now));
    expect(deadLetterKey('', 'a/b c', now)).toMatch(/^2026\/11\/23\/a_b_c-/);
  });
});
