// bulkIndex against the real node behind the fault proxy, one scripted answer at a time: what
// proxies in front of a cluster send (an error page labelled JSON, a body cut off, 413 for a body
// over their limit) next to what the cluster sends (429).
import { createDecoder } from '@central-logging/decoder';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bulkIndex, DEFAULT_BULK_OPTIONS, type BulkOptions, type IndexItem } from '../../src/bulk.ts';
import { backoffDelay } from '../../src/retry.ts';
import { indexNameFor } from '../../src/templates.ts';
import { clusterClient, countDocuments, freshPrefix } from '../support/cluster.ts';
import { startFaultProxy, type FaultPlan, type FaultProxy } from '../support/fault-proxy.ts';
import { kinesisRecords } from '../support/stream.ts';

const PREFIX = 'it-bulk';
const decoder = createDecoder();
const direct = clusterClient();
let proxy: FaultProxy;
let proxied: ReturnType<typeof clusterClient>;

beforeAll(async () => {
  await freshPrefix(direct, PREFIX);
  const upstream = new URL(inject('opensearchUrl'));
  proxy = await startFaultProxy(upstream.origin);
  const through = new URL(proxy.url);
  through.username = upstream.username;
  through.password = upstream.password;
  proxied = clusterClient(through.toString());
});
afterAll(async () => {
  await proxied?.close();
  await proxy?.stop();
  await direct.close();
});

/** `events` documents to index, unique for `seed`. */
function items(events: number, seed: number): IndexItem<string>[] {
  return kinesisRecords(events, events, seed).flatMap((record) => {
    const result = decoder.decodeData(record.kinesis.data);
    if (result.kind !== 'data') throw new Error(`fixture record did not decode: ${result.kind}`);
    return result.documents.map((document) => ({
      index: indexNameFor(document.event.dataset, document['@timestamp'], PREFIX),
      id: document.event.id,
      document,
      source: document.event.id,
    }));
  });
}

/** What one item adds to a bulk body: its action and document lines. */
function bytes(batch: readonly IndexItem<string>[]): number {
  return batch.reduce(
    (n, { index, id, document }) =>
      n +
      Buffer.byteLength(JSON.stringify({ create: { _index: index, _id: id } }) + '\n') +
      Buffer.byteLength(JSON.stringify(document) + '\n'),
    0,
  );
}

/** A clock that moves only when bulkIndex sleeps, so backoff is measured, not waited for. */
function fakeClock(): Pick<BulkOptions, 'now' | 'sleep' | 'random' | 'deadline'> & { sleeps: number[] } {
  let time = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    deadline: time + 600_000,
    now: () => time,
    sleep: (ms) => {
      sleeps.push(ms);
      time += ms;
      return Promise.resolve();
    },
    random: () => 1,
  };
}

function run(plan: FaultPlan, batch: readonly IndexItem<string>[], options: Partial<BulkOptions> = {}) {
  proxy.setPlan(plan);
  const clock = fakeClock();
  const outcome = bulkIndex(proxied, batch, {
    ...DEFAULT_BULK_OPTIONS,
    retryBaseMs: 100,
    retryMaxMs: 10_000,
    ...clock,
    ...options,
  });
  return { outcome, sleeps: clock.sleeps };
}

describe('bulkIndex: a response body that is not JSON', () => {
  it.each([
    [
      'a 502 error page labelled application/json (a load balancer)',
      { kind: 'raw', status: 502, contentType: 'application/json', body: '<html>502 Bad Gateway</html>' },
      1,
    ],
    ['a 200 cut off halfway (the documents did land)', { kind: 'truncate' }, 2],
  ] as const)('retries %s, as any transient failure', async (_, fault, seed) => {
    const batch = items(20, 40 + seed);
    const before = await countDocuments(direct, PREFIX);
    let faulted = false;
    const once: FaultPlan = () => {
      if (faulted) return { kind: 'pass' };
      faulted = true;
      return fault;
    };
    const { outcome } = run(once, batch);
    const result = await outcome;
    expect(result.failed).toEqual([]);
    expect(result.deadLetters).toEqual([]);
    expect(result.requests).toBe(2);
    expect(result.retries).toBe(1);
    // A cut-off answer hides documents that were written: the retry finds them (409).
    expect(result.indexed + result.duplicates).toBe(batch.length);
    expect(await countDocuments(direct, PREFIX)).toBe(before + batch.length);
  });
});

describe('bulkIndex: a body halved in the same round as a 429', () => {
  it('backs off the 429 items and counts only their own attempts; only the halves go at once', async () => {
    // Two bodies: the first over the proxy's limit until it is a single document (413), the
    // second refused with 429 every time.
    const large = items(8, 51);
    const busy = items(3, 52);
    const largeIds = new Set(large.map((i) => i.id));
    const busyIds = new Set(busy.map((i) => i.id));
    const sends = new Map<string, number>();
    const plan: FaultPlan = (_, ids) => {
      for (const id of ids) sends.set(id, (sends.get(id) ?? 0) + 1);
      if (ids.some((id) => busyIds.has(id))) {
        return { kind: 'status', status: 429, type: 'es_rejected_execution_exception' };
      }
      if (ids.length > 1 && ids.some((id) => largeIds.has(id))) {
        return { kind: 'raw', status: 413, contentType: 'text/html', body: '<html>413</html>' };
      }
      return { kind: 'pass' };
    };
    const maxAttempts = 3;
    const { outcome, sleeps } = run(plan, [...large, ...busy], {
      // One body each for the eight and the three; one at a time, so the order is known.
      maxBulkBytes: bytes(large),
      concurrency: 1,
      maxAttempts,
    });
    const result = await outcome;
    expect(result.indexed).toBe(large.length);
    expect(result.deadLetters).toEqual([]);
    expect(result.failed.map((f) => f.item.id).sort()).toEqual([...busyIds].sort());
    expect(result.failed.every((f) => f.retryability === 'retry' && f.status === 429)).toBe(true);
    // Sent maxAttempts times, halving rounds not counted, with the backoff between them.
    expect([...busyIds].map((id) => sends.get(id))).toEqual(busy.map(() => maxAttempts));
    const backoff = { baseMs: 100, maxMs: 10_000 };
    expect(sleeps).toEqual([1, 2].map((attempt) => backoffDelay(attempt, backoff, () => 1)));
  });
});
