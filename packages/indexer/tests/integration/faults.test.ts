// 100,000 events through the Kinesis handler while the cluster misbehaves: bursts of 429 and 503,
// per-item rejections, connection resets, and a real node restart mid-run. Nothing may be lost
// and nothing duplicated once Kinesis has redelivered what the handler gave back.
import { createDecoder, type Decoder } from '@central-logging/decoder';
import { restartOpenSearch } from '@central-logging/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_BULK_OPTIONS } from '../../src/bulk.ts';
import type { DeadLetter, DeadLetterSink } from '../../src/dead-letter.ts';
import { indexKinesisEvent, type BatchSummary } from '../../src/kinesis.ts';
import { clusterClient, countDocuments, freshPrefix, termsOf } from '../support/cluster.ts';
import { startFaultProxy, type Fault, type FaultProxy } from '../support/fault-proxy.ts';
import { eventId, kinesisRecords, redelivery } from '../support/stream.ts';

const PREFIX = 'it-faults';
const EVENTS = 100_000;
const EVENTS_PER_RECORD = 250;
const RECORDS_PER_BATCH = 100;
const SEED = 21;
/** Every 20,000th event is one the mapping refuses (see drifting below): 5 dead letters. */
const POISON = new Set([0, 1, 2, 3, 4].map((k) => eventId(SEED, k * 20_000 + 7)));

const direct = clusterClient();
let proxy: FaultProxy;

// Bulk request n: bursts of whole-request 429 and 503, resets, and every 4th request with some
// items rejected inside a 200 response.
function plan(n: number): Fault {
  if (n >= 3 && n <= 6) return { kind: 'status', status: 429, type: 'es_rejected_execution_exception' };
  if (n >= 12 && n <= 14) return { kind: 'status', status: 503, type: 'unavailable_shards_exception' };
  if (n >= 20 && n <= 22) return { kind: 'reset' };
  if (n % 4 === 0) return { kind: 'partial429', every: 9 };
  return { kind: 'pass' };
}

const base = createDecoder();
const drifting: Decoder = {
  ...base,
  decodeData(data) {
    const result = base.decodeData(data);
    if (result.kind === 'data') {
      for (const d of result.documents) {
        if (POISON.has(d.event.id)) (d as unknown as { network: string }).network = 'tcp';
      }
    }
    return result;
  },
};

const letters: DeadLetter[] = [];
const memorySink: DeadLetterSink = {
  write(batch) {
    letters.push(...batch);
    return Promise.resolve(`memory:${letters.length}`);
  },
};

beforeAll(async () => {
  await freshPrefix(direct, PREFIX);
  const upstream = new URL(inject('opensearchUrl'));
  proxy = await startFaultProxy(upstream.origin, plan);
  const through = new URL(proxy.url);
  through.username = upstream.username;
  through.password = upstream.password;
  proxyUrl = through.toString();
});
afterAll(async () => {
  await proxy?.stop();
  await direct.close();
});
let proxyUrl = '';

function total(
  summaries: readonly BatchSummary[],
  key: 'indexed' | 'duplicates' | 'deadLettered' | 'retryLater' | 'documents',
): number {
  return summaries.reduce((n, s) => n + s[key], 0);
}

describe(`${EVENTS.toLocaleString('en')} events through 429s, 503s, resets and a node restart`, () => {
  it('accounts for every event, then redelivery leaves each indexed or dead-lettered exactly once', async () => {
    const client = clusterClient(proxyUrl);
    const records = kinesisRecords(EVENTS, EVENTS_PER_RECORD, SEED);
    const batches = Array.from({ length: Math.ceil(records.length / RECORDS_PER_BATCH) }, (_, i) =>
      records.slice(i * RECORDS_PER_BATCH, (i + 1) * RECORDS_PER_BATCH),
    );
    const run = (batch: (typeof records)[number][], budgetMs: number) =>
      indexKinesisEvent(
        { Records: batch },
        {
          client,
          decoder: drifting,
          deadLetters: memorySink,
          indexPrefix: PREFIX,
          bulk: {
            ...DEFAULT_BULK_OPTIONS,
            maxBulkBytes: 512 * 1024,
            requestTimeoutMs: 5_000,
            retryBaseMs: 50,
            retryMaxMs: 1_000,
            deadline: Date.now() + budgetMs,
          },
        },
      );

    // First delivery. The node restarts during the third batch, whose invocation has only 3 s left:
    // what it cannot place in time goes back to Kinesis as batchItemFailures.
    const first: {
      batch: (typeof records)[number][];
      summary: BatchSummary;
      failures: { itemIdentifier: string }[];
    }[] = [];
    for (const [i, batch] of batches.entries()) {
      // Wait for the node to be back before the next batch, as Kinesis would keep retrying it.
      const restart = i === 2 ? restartOpenSearch() : undefined;
      const { response, summary } = await run(batch, i === 2 ? 3_000 : 30_000);
      first.push({ batch, summary, failures: response.batchItemFailures });
      await restart;
    }
    const summaries = first.map((f) => f.summary);
    expect(total(summaries, 'documents')).toBe(EVENTS);
    // Every event is accounted for: indexed (now or by an earlier attempt), dead-lettered, or
    // in a record handed back to Kinesis.
    expect(
      total(summaries, 'indexed') +
        total(summaries, 'duplicates') +
        total(summaries, 'deadLettered') +
        total(summaries, 'retryLater'),
    ).toBe(EVENTS);
    expect(total(summaries, 'retryLater')).toBeGreaterThan(0);
    expect(first.some((f) => f.failures.length > 0)).toBe(true);
    expect(proxy.stats.status[429]).toBeGreaterThan(0);
    expect(proxy.stats.status[503]).toBeGreaterThan(0);
    expect(proxy.stats.resets).toBeGreaterThan(0);
    expect(proxy.stats.itemsRejected).toBeGreaterThan(0);
    expect(proxy.stats.upstreamErrors).toBeGreaterThan(0); // the restart, seen through the proxy

    // Kinesis-style redelivery: each shard resumes from its lowest failed sequence number, with
    // every record after it (already indexed ones included) until nothing comes back.
    let rounds = 0;
    for (const { batch, failures } of first) {
      let pending = redelivery(batch, failures);
      while (pending.length > 0) {
        expect(++rounds).toBeLessThan(30);
        const { response } = await run(pending, 30_000);
        pending = redelivery(pending, response.batchItemFailures);
      }
    }

    const deadLettered = new Set(letters.map((l) => l.id));
    expect(deadLettered).toEqual(POISON);
    expect(letters.every((l) => l.type === 'mapper_parsing_exception')).toBe(true);
    // Exactly once: the index holds every other event, and no id twice.
    expect(await countDocuments(direct, PREFIX)).toBe(EVENTS - POISON.size);
    expect(await termsOf(direct, `${PREFIX}-*`, 'event.id', 2)).toEqual([]);
    const poisoned = await countDocuments(direct, PREFIX, { terms: { 'event.id': [...POISON] } });
    expect(poisoned).toBe(0);
  }, 600_000);
});
