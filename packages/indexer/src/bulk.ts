import type { Client } from '@opensearch-project/opensearch';
import { forEachConcurrently } from '@central-logging/decoder';
import type { LogDocument } from '@central-logging/log-schema';
import { backoffDelay, retryability, type Failure, type Retryability } from './retry.ts';

/** One document to index, and where it came from (a Kinesis record, an archive object line). */
export interface IndexItem<Source = unknown> {
  readonly index: string;
  /** The CloudWatch Logs event id: the same on every redelivery and replay. */
  readonly id: string;
  readonly document: LogDocument;
  readonly source: Source;
}

/** A document that did not index, with the cluster's words for why. */
export interface ItemFailure<Source = unknown> {
  readonly item: IndexItem<Source>;
  readonly retryability: Exclude<Retryability, 'done'>;
  readonly status?: number | undefined;
  readonly type?: string | undefined;
  readonly reason: string;
}

/**
 * Every item ends in exactly one bucket: `indexed + duplicates + deadLetters + failed = items`.
 * `failed` holds what was still retryable when the time budget or the attempts ran out.
 */
export interface IndexOutcome<Source = unknown> {
  /** Created by this call. */
  indexed: number;
  /** Already in the index (409 on create): an earlier delivery, a replay, or a retried request
   *  whose first attempt did reach the node. */
  duplicates: number;
  deadLetters: ItemFailure<Source>[];
  failed: ItemFailure<Source>[];
  /** Bulk requests sent, and how many of them were retries of earlier failures. */
  requests: number;
  retries: number;
  bytes: number;
}

export interface BulkOptions {
  /** Upper bound of one bulk request body (Amazon OpenSearch Service accepts 10–100 MiB). */
  readonly maxBulkBytes: number;
  /** Bulk requests in flight at once. */
  readonly concurrency: number;
  /** Per-request timeout; also never past the deadline. */
  readonly requestTimeoutMs: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Rounds of sending, the first included. */
  readonly maxAttempts: number;
  /** Epoch ms after which no request starts: the Lambda's remaining time minus a reserve. */
  readonly deadline: number;
  /** Clock, sleep and randomness, injectable for tests. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export const DEFAULT_BULK_OPTIONS = {
  maxBulkBytes: 5 * 1024 * 1024,
  concurrency: 2,
  requestTimeoutMs: 30_000,
  retryBaseMs: 200,
  retryMaxMs: 10_000,
  maxAttempts: 8,
} as const satisfies Omit<BulkOptions, 'deadline'>;

/**
 * No request starts with less time than this before the deadline (or than `requestTimeoutMs`,
 * if that is shorter): a bulk request given a few milliseconds fails without reaching the node.
 */
export const MIN_REQUEST_MS = 1_000;

interface Entry<Source> {
  readonly item: IndexItem<Source>;
  /** The action and document lines, newline-terminated: serialized once, resent as is. */
  readonly body: string;
  readonly bytes: number;
  /** Sends that failed transiently so far: what `maxAttempts` and the backoff count. */
  readonly attempts: number;
}

interface BulkItemResponse {
  readonly status?: number;
  readonly error?: {
    readonly type?: string;
    readonly reason?: string;
    readonly caused_by?: { reason?: string };
  };
}

/**
 * Bulk-indexes `items` with `op_type: create` and `_id` = event id, so a document is written at
 * most once however often it is delivered. Requests are cut by bytes and sent `concurrency` at a
 * time; every item of every response is looked at, and retryable ones are resent with jittered
 * backoff while the deadline allows. Never throws for cluster or network trouble: that is in the
 * outcome.
 */
export async function bulkIndex<Source>(
  client: Client,
  items: readonly IndexItem<Source>[],
  options: BulkOptions,
): Promise<IndexOutcome<Source>> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const backoff = { baseMs: options.retryBaseMs, maxMs: options.retryMaxMs };
  const minRequestMs = Math.min(options.requestTimeoutMs, MIN_REQUEST_MS);
  const outcome: IndexOutcome<Source> = {
    indexed: 0,
    duplicates: 0,
    deadLetters: [],
    failed: [],
    requests: 0,
    retries: 0,
    bytes: 0,
  };

  // Sent in the next round. Entries of a refused body go back here to be resent at once, halved;
  // entries that failed transiently wait in `backingOff` (earliest first) until their delay is over.
  let ready: Entry<Source>[] = items.map(serialize);
  const backingOff: { due: number; entries: Entry<Source>[] }[] = [];
  let maxBytes = options.maxBulkBytes;
  for (let round = 1; ; round++) {
    if (ready.length === 0) {
      const next = backingOff.shift();
      if (next === undefined) break;
      const wait = next.due - now();
      if (wait > 0) await sleep(wait);
      ready = next.entries;
    }
    while (backingOff[0] !== undefined && backingOff[0].due <= now()) {
      ready = ready.concat(backingOff.shift()?.entries ?? []);
    }
    const chunks = chunkByBytes(ready, maxBytes);
    ready = [];
    if (round > 1) outcome.retries += chunks.length;
    const retry: { entry: Entry<Source>; failure: ItemFailure<Source> }[] = [];

    await forEachConcurrently(chunks, options.concurrency, async (chunk) => {
      const left = options.deadline - now();
      if (left < minRequestMs) {
        const failure = { code: 'DeadlineReached' };
        const error = {
          reason: `${Math.max(0, left)} ms left before the deadline, too little for a request`,
        };
        for (const entry of chunk) outcome.failed.push(itemFailure(entry.item, 'retry', failure, error));
        return;
      }
      outcome.requests++;
      outcome.bytes += chunk.reduce((n, e) => n + e.bytes, 0);
      let responses: readonly BulkItemResponse[];
      try {
        responses = await sendBulk(client, chunk, Math.min(options.requestTimeoutMs, left));
      } catch (error) {
        const failure = requestFailure(error);
        const decision = retryability(failure);
        // A body the node refuses as a whole (413 too large, 400 unparsable) says nothing about
        // which document is at fault: halve until one document carries the blame alone. That is
        // not the cluster being busy: the halves go at once, and the round is not an attempt.
        if (decision === 'dead_letter' && chunk.length > 1) {
          maxBytes = Math.max(1, Math.floor(chunk.reduce((n, e) => n + e.bytes, 0) / 2));
          for (const entry of chunk) ready.push(entry);
          return;
        }
        for (const entry of chunk) {
          const f = itemFailure(entry.item, decision === 'done' ? 'hold' : decision, failure);
          if (decision === 'dead_letter') outcome.deadLetters.push(f);
          else if (decision === 'retry') retry.push({ entry, failure: f });
          else outcome.failed.push(f);
        }
        return;
      }
      chunk.forEach((entry, i) => {
        const response = responses[i];
        const failure: Failure = response
          ? { status: response.status, type: response.error?.type, reason: response.error?.reason }
          : { type: 'missing_bulk_item' };
        const decision = response ? retryability(failure) : 'retry';
        if (decision === 'done') {
          if (response?.status === 409 || response?.error !== undefined) outcome.duplicates++;
          else outcome.indexed++;
          return;
        }
        const f = itemFailure(entry.item, decision, failure, response?.error);
        if (decision === 'dead_letter') outcome.deadLetters.push(f);
        else if (decision === 'retry') retry.push({ entry, failure: f });
        else outcome.failed.push(f);
      });
    });

    if (retry.length === 0) continue;
    const attempts = retry.reduce((n, r) => Math.max(n, r.entry.attempts + 1), 0);
    const due = now() + backoffDelay(attempts, backoff, options.random);
    const resend: Entry<Source>[] = [];
    for (const { entry, failure } of retry) {
      if (entry.attempts + 1 >= options.maxAttempts || due + minRequestMs > options.deadline) {
        outcome.failed.push(failure);
      } else {
        resend.push({ ...entry, attempts: entry.attempts + 1 });
      }
    }
    if (resend.length > 0) {
      backingOff.push({ due, entries: resend });
      backingOff.sort((a, b) => a.due - b.due);
    }
  }
  return outcome;
}

function serialize<Source>(item: IndexItem<Source>): Entry<Source> {
  const action = `{"create":{"_index":${JSON.stringify(item.index)},"_id":${JSON.stringify(item.id)}}}\n`;
  const body = action + JSON.stringify(item.document) + '\n';
  return { item, body, bytes: Buffer.byteLength(body), attempts: 0 };
}

/** Consecutive runs of at most `maxBytes` (a single larger entry goes alone: the node decides). */
export function chunkByBytes<T extends { readonly bytes: number }>(
  entries: readonly T[],
  maxBytes: number,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const entry of entries) {
    if (current.length > 0 && size + entry.bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(entry);
    size += entry.bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

async function sendBulk<Source>(
  client: Client,
  chunk: readonly Entry<Source>[],
  requestTimeout: number,
): Promise<readonly BulkItemResponse[]> {
  const response = await client.transport.request(
    {
      method: 'POST',
      path: '/_bulk',
      bulkBody: chunk.map((e) => e.body).join(''),
      // Only what we act on: a 5,000-item response shrinks to the statuses and errors.
      querystring: {
        filter_path:
          'errors,items.*.status,items.*.error.type,items.*.error.reason,items.*.error.caused_by.reason',
      },
    },
    { requestTimeout, maxRetries: 0 },
  );
  const body = response.body as { items?: Record<string, BulkItemResponse>[] } | undefined;
  const items = body?.items;
  if (!Array.isArray(items) || items.length !== chunk.length) {
    // A proxy or a broken node answered 200 with something else: nothing is known, so retry.
    throw Object.assign(new Error(`bulk response has ${items?.length ?? 'no'} items for ${chunk.length}`), {
      code: 'ECONNRESET',
    });
  }
  return items.map((item) => item.create ?? Object.values(item)[0] ?? {});
}

function requestFailure(error: unknown): Failure {
  const e = error as {
    name?: string;
    code?: string;
    statusCode?: number;
    meta?: { statusCode?: number; body?: unknown };
  };
  const body = e.meta?.body as { error?: { type?: string; reason?: string } } | undefined;
  const cause = typeof body?.error === 'object' ? body.error : undefined;
  return {
    status: e.statusCode ?? e.meta?.statusCode ?? undefined,
    type: cause?.type,
    reason: cause?.reason,
    code: e.code ?? e.name,
  };
}

function itemFailure<Source>(
  item: IndexItem<Source>,
  decision: Exclude<Retryability, 'done'>,
  failure: Failure,
  error?: BulkItemResponse['error'],
): ItemFailure<Source> {
  const detail = error?.reason ?? failure.code ?? 'unknown error';
  const cause = error?.caused_by?.reason ? ` (${error.caused_by.reason})` : '';
  const status = failure.status === undefined ? '' : `${failure.status} `;
  return {
    item,
    retryability: decision,
    status: failure.status,
    type: failure.type ?? failure.code,
    reason: `${status}${failure.type ?? ''}${failure.type ? ': ' : ''}${detail}${cause}`.trim(),
  };
}

export { forEachConcurrently };
