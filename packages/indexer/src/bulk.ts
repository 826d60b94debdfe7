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

interface Entry<Source> {
  readonly item: IndexItem<Source>;
  /** The action and document lines, newline-terminated: serialized once, resent as is. */
  readonly body: string;
  readonly bytes: number;
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
  const outcome: IndexOutcome<Source> = {
    indexed: 0,
    duplicates: 0,
    deadLetters: [],
    failed: [],
    requests: 0,
    retries: 0,
    bytes: 0,
  };

  let pending: Entry<Source>[] = items.map(serialize);
  let maxBytes = options.maxBulkBytes;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const chunks = chunkByBytes(pending, maxBytes);
    if (attempt > 1) outcome.retries += chunks.length;
    const retry: { entry: Entry<Source>; failure: ItemFailure<Source> }[] = [];
    let split = false;

    await forEachConcurrently(chunks, options.concurrency, async (chunk) => {
      const timeout = Math.min(options.requestTimeoutMs, options.deadline - now());
      outcome.requests++;
      outcome.bytes += chunk.reduce((n, e) => n + e.bytes, 0);
      let responses: readonly BulkItemResponse[];
      try {
        responses = await sendBulk(client, chunk, Math.max(1, timeout));
      } catch (error) {
        const failure = requestFailure(error);
        const decision = retryability(failure);
        // A body the node refuses as a whole (413 too large, 400 unparsable) says nothing about
        // which document is at fault: halve until one document carries the blame alone.
        if (decision === 'dead_letter' && chunk.length > 1) {
          split = true;
          maxBytes = Math.max(1, Math.floor(chunk.reduce((n, e) => n + e.bytes, 0) / 2));
          for (const entry of chunk)
            retry.push({ entry, failure: itemFailure(entry.item, 'retry', failure) });
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
          ? { status: response.status, type: response.error?.type }
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

    if (retry.length === 0) break;
    // Halving a refused body is not the cluster being busy: resend at once.
    const delay = split
      ? 0
      : backoffDelay(attempt, { baseMs: options.retryBaseMs, maxMs: options.retryMaxMs }, options.random);
    const outOfTime = now() + delay + Math.min(options.requestTimeoutMs, 1_000) > options.deadline;
    if ((!split && attempt >= options.maxAttempts) || outOfTime) {
      outcome.failed.push(...retry.map((r) => r.failure));
      break;
    }
    if (delay > 0) await sleep(delay);
    pending = retry.map((r) => r.entry);
  }
  return outcome;
}

function serialize<Source>(item: IndexItem<Source>): Entry<Source> {
  const action = `{"create":{"_index":${JSON.stringify(item.index)},"_id":${JSON.stringify(item.id)}}}\n`;
  const body = action + JSON.stringify(item.document) + '\n';
  return { item, body, bytes: Buffer.byteLength(body) };
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
  const body = e.meta?.body as { error?: { type?: string } } | undefined;
  return {
    status: e.statusCode ?? e.meta?.statusCode ?? undefined,
    type: typeof body?.error === 'object' ? body.error.type : undefined,
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
