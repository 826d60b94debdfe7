import type { S3Client } from '@aws-sdk/client-s3';
import type { Client } from '@opensearch-project/opensearch';
import type { Decoder } from '@central-logging/decoder';
import {
  bulkIndex,
  DEFAULT_BULK_OPTIONS,
  type BulkOptions,
  type IndexItem,
  type ItemFailure,
} from '../bulk.ts';
import type { DeadLetter, DeadLetterSink } from '../dead-letter.ts';
import {
  buildTemplates,
  DEFAULT_INDEX_PREFIX,
  ensureTemplates,
  indexNameFor,
  type TemplateOptions,
} from '../templates.ts';
import { Checkpoint, replayIdentity } from './checkpoint.ts';
import {
  daysMayMatch,
  documentMatches,
  keyMayMatch,
  keysCanPrune,
  parseKey,
  selectsEverything,
  type ReplayFilter,
} from './filter.ts';
import { listObjects, listPartitions, type ObjectRef } from './listing.ts';
import { silentProgress, type ProgressReporter, type ProgressSnapshot } from './progress.ts';
import { BoundedQueue } from './queue.ts';
import { CHUNKED_READ_DEFAULTS, readObjectChunks, type ChunkedRead } from './read-stream.ts';
import { objectTooLarge, type ReadResult, type UnitError } from './read.ts';
import { emptySummary, MAX_LISTED_FAILURES, type ReplayStatus, type ReplaySummary } from './summary.ts';

/** Where a replayed document came from: the `source` of its dead letter, if it gets one. */
export interface ReplaySource {
  readonly bucket: string;
  readonly key: string;
  readonly etag: string;
  /** `line 12`, `line 3 Records[0]`, `object`. */
  readonly line: string;
}

/** What to replay and how. Only `bucket` is required. */
export interface ReplayOptions {
  readonly bucket: string;
  /** Key prefix to list, e.g. `archive/` or `archive/account=111122223333/`. Default: the whole bucket. */
  readonly prefix?: string;
  readonly filter?: ReplayFilter;
  /** List, read and decode, count; index nothing, write nothing (no dead letters, no checkpoint). */
  readonly dryRun?: boolean;
  /** Objects read and indexed at once. Default 4. */
  readonly concurrency?: number;
  /** Index name prefix (`<prefix>-<dataset>-yyyy.MM.dd`). Default `logs`. */
  readonly indexPrefix?: string;
  /**
   * Create the index templates when the cluster has none for the prefix, so a replay into an
   * empty cluster gets the right mappings. Existing templates are left alone: they belong to
   * whoever installed them (the dashboards stack), with that stack's shards and replicas. Default true.
   */
  readonly templates?: boolean;
  /** Options for the templates created when missing (shards, replicas). */
  readonly templateOptions?: Omit<TemplateOptions, 'prefix'>;
  /** Resume from and record progress in this file; none by default. Ignored in a dry run. */
  readonly checkpoint?: {
    readonly path: string;
    /** Ignore what the file holds and start over. */
    readonly restart?: boolean;
    /** How often completed objects are written out. Default 1 s. */
    readonly flushIntervalMs?: number;
  };
  /** The OpenSearch endpoint, without credentials: part of the checkpoint's identity. */
  readonly target?: string;
  /** Bulk settings; the deadline is set per object from `objectTimeoutMs`. */
  readonly bulk?: Partial<Omit<BulkOptions, 'deadline'>>;
  /**
   * Time budget to index one object's documents, retries included. There is no Lambda clock
   * here; this bounds how long a struggling cluster can hold one object. Default 15 minutes.
   */
  readonly objectTimeoutMs?: number;
  /**
   * How many days beyond `since`/`until` an object's partition day may lie and still be read
   * (see `keyMayMatch`). Default 1; widen it when payloads may mix events days apart.
   */
  readonly dayMarginDays?: number;
  /**
   * Largest object (stored or inflated) read whole; larger ones are not read: counted failed and
   * not checkpointed, so a run with a larger limit reads them. Default 256 MiB. Objects above
   * `read.streamAboveBytes` stored are streamed instead.
   */
  readonly maxObjectBytes?: number;
  /** When objects are streamed, and in what chunks (defaults in `CHUNKED_READ_DEFAULTS`). */
  readonly read?: Partial<Omit<ChunkedRead, 'maxObjectBytes' | 'signal'>>;
  /** Stop after starting this many objects (status `stopped`); the checkpoint resumes after them. */
  readonly maxObjects?: number;
  /**
   * Stop (status `failed`) when this many objects in a row failed: the cluster or the bucket is
   * not working, and each further object would only wait out its retries. Default 10.
   */
  readonly maxConsecutiveFailures?: number;
  /** Listed objects waiting to be read, at most (memory bound for huge buckets). Default 100,000. */
  readonly queueCapacity?: number;
}

/** The outside world, injected so replay runs in tests without a process or a terminal. */
export interface ReplayDeps {
  readonly s3: S3Client;
  /** Required unless `dryRun`. */
  readonly opensearch?: Client | undefined;
  /** Configured like the pipeline's (DECODER_* variables), so payloads decode as they did. */
  readonly decoder: Decoder;
  readonly deadLetters: DeadLetterSink;
  readonly progress?: ProgressReporter;
  /** Aborting stops taking new objects; objects in flight finish and are checkpointed. */
  readonly signal?: AbortSignal;
  readonly now?: () => number;
}

/** The defaults of {@link ReplayOptions}, also shown in the CLI's usage. */
export const REPLAY_DEFAULTS = {
  concurrency: 4,
  objectTimeoutMs: 15 * 60_000,
  maxObjectBytes: 256 * 1024 * 1024,
  maxConsecutiveFailures: 10,
  queueCapacity: 100_000,
  // More rounds than the Lambda (8): no Kinesis redelivery stands behind a replay's give-up.
  maxAttempts: 12,
} as const;

/**
 * Re-injects archived logs: lists `bucket`/`prefix`, skips objects whose account or day cannot match
 * the filter or that an earlier run completed, reads the rest `concurrency` at a time (archive
 * NDJSON, Firehose error records, the indexer's dead letters), and indexes the selected documents
 * through `bulkIndex` with their event id as `_id` — so running it twice changes nothing.
 *
 * Every selected document ends indexed, a duplicate, dead-lettered with its reason, or failed;
 * an object with a failed document (or an unwritten dead letter), or too large to read, is not
 * checkpointed and is read again by the next run. Throws only before starting (checkpoint
 * unusable, templates refused); afterwards every problem is in the returned summary.
 */
export async function replay(options: ReplayOptions, deps: ReplayDeps): Promise<ReplaySummary> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const dryRun = options.dryRun ?? false;
  const summary = emptySummary(dryRun);
  const bucket = options.bucket;
  const prefix = options.prefix ?? '';
  const filter = options.filter ?? {};
  const everything = selectsEverything(filter);
  const indexPrefix = options.indexPrefix ?? DEFAULT_INDEX_PREFIX;
  const concurrency = options.concurrency ?? REPLAY_DEFAULTS.concurrency;
  const maxObjectBytes = options.maxObjectBytes ?? REPLAY_DEFAULTS.maxObjectBytes;
  const objectTimeoutMs = options.objectTimeoutMs ?? REPLAY_DEFAULTS.objectTimeoutMs;
  const maxConsecutiveFailures = options.maxConsecutiveFailures ?? REPLAY_DEFAULTS.maxConsecutiveFailures;
  const dayMargin = options.dayMarginDays ?? 1;
  const progress = deps.progress ?? silentProgress;
  const client = deps.opensearch;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be an integer ≥ 1, got ${concurrency}`);
  }
  if (!dryRun && client === undefined) throw new TypeError('replay needs an OpenSearch client unless dryRun');

  let checkpoint: Checkpoint | undefined;
  if (!dryRun && options.checkpoint !== undefined) {
    const identity = replayIdentity({ bucket, prefix, filter, indexPrefix, target: options.target });
    checkpoint = await Checkpoint.open(options.checkpoint.path, identity, options.checkpoint);
    summary.checkpoint = options.checkpoint.path;
  }
  if (!dryRun && client !== undefined && options.templates !== false) {
    summary.templates = await ensureTemplatesIfMissing(client, indexPrefix, options.templateOptions);
  }

  // What the progress display shows; updated as objects are listed and finished.
  const state = {
    objectsDone: 0,
    objectsTotal: 0,
    listingComplete: false,
    bytesDone: 0,
    bytesTotal: 0,
  };
  const snapshot = (): ProgressSnapshot => ({
    startedAt,
    ...state,
    documents: summary.documents.read,
    objectsFailed: summary.objects.failed,
  });

  const queue = new BoundedQueue<ObjectRef>(options.queueCapacity ?? REPLAY_DEFAULTS.queueCapacity);
  const listing = new AbortController();
  let stopped: { status: ReplayStatus; reason: string } | undefined;
  const stop = (status: ReplayStatus, reason: string): void => {
    if (stopped !== undefined) return;
    stopped = { status, reason };
    summary.objects.notRead += queue.abort();
    listing.abort();
  };
  const onAbort = (): void =>
    stop('interrupted', 'interrupted: objects in flight were finished, the rest not read');
  if (deps.signal?.aborted) onAbort();
  deps.signal?.addEventListener('abort', onAbort, { once: true });

  const note = (list: string[], text: string): void => {
    if (list.length < MAX_LISTED_FAILURES) list.push(text);
  };

  const lister = async (): Promise<void> => {
    try {
      // With accounts or a time range selected, whole account= subtrees and whole years, months
      // and days are left unlisted.
      const pages = keysCanPrune(filter)
        ? listPartitions(deps.s3, bucket, prefix, {
            keep: (segment) => keyMayMatch(parseKey(segment), filter, dayMargin),
            keepDays: (first, last, kind) => daysMayMatch(first, last, kind, filter, dayMargin),
            onSkip: () => summary.objects.partitionsNotListed++,
            signal: listing.signal,
          })
        : listObjects(deps.s3, bucket, prefix, listing.signal);
      for await (const page of pages) {
        for (const ref of page) {
          if (stopped !== undefined) return;
          summary.objects.listed++;
          if (!keyMayMatch(parseKey(ref.key), filter, dayMargin)) {
            summary.objects.skippedByFilter++;
            continue;
          }
          if (checkpoint?.isDone(ref.key, ref.etag)) {
            summary.objects.skippedByCheckpoint++;
            continue;
          }
          state.objectsTotal++;
          state.bytesTotal += ref.size;
          if (!(await queue.push(ref))) {
            summary.objects.notRead++;
            return;
          }
        }
        progress.update(snapshot());
      }
      state.listingComplete = true;
    } catch (error) {
      // After a stop, the aborted request is ours; otherwise nothing more can be listed.
      if (stopped === undefined)
        stop('failed', `listing s3://${bucket}/${prefix} failed: ${messageOf(error)}`);
    } finally {
      queue.end();
      progress.update(snapshot());
    }
  };

  let failedInARow = 0;
  /**
   * Counts a finished object, and checkpoints it unless it failed. An object refused for its size
   * (`tooLarge`) does not count toward `maxConsecutiveFailures`: large objects in a row say nothing
   * about the cluster or the bucket.
   */
  const finish = (ref: ObjectRef, etag: string, failure?: string, { tooLarge = false } = {}): void => {
    state.objectsDone++;
    state.bytesDone += ref.size;
    if (failure === undefined) {
      summary.objects.read++;
      failedInARow = 0;
      if (!dryRun) checkpoint?.complete(ref.key, etag);
    } else {
      summary.objects.failed++;
      note(summary.failures, `${ref.key}: ${failure}`);
      if (!tooLarge) failedInARow++;
      if (failedInARow >= maxConsecutiveFailures) {
        stop('failed', `${failedInARow} objects failed in a row; the last: ${failure}`);
      }
    }
    progress.update(snapshot());
  };

  /** Indexes one chunk of an object and writes its dead letters; the failure, if any. */
  const processChunk = async (
    ref: ObjectRef,
    read: ReadResult,
    first: boolean,
    deadline: number,
  ): Promise<string | undefined> => {
    const { decoded, etag } = read;
    summary.bytes += read.bytes;
    summary.controlMessages += decoded.control;
    summary.undecodable += decoded.errors.length;
    if (first && decoded.format === 'dead-letter') summary.deadLetterObjects++;
    for (const e of decoded.errors) {
      note(summary.undecodableSamples, `${ref.key} ${e.label}: ${e.error.reason}: ${e.error.message}`);
    }
    const found = decoded.documents;
    const selected = everything ? found : found.filter((f) => documentMatches(f.document, filter));
    summary.documents.read += found.length;
    summary.documents.outsideFilter += found.length - selected.length;
    summary.documents.selected += selected.length;
    if (dryRun || client === undefined) return undefined;

    const items: IndexItem<ReplaySource>[] = selected.map(({ document, label }) => ({
      index: indexNameFor(document.event.dataset, document['@timestamp'], indexPrefix),
      id: document.event.id,
      document,
      source: { bucket, key: ref.key, etag, line: label },
    }));
    const outcome = await bulkIndex(client, items, {
      ...DEFAULT_BULK_OPTIONS,
      maxAttempts: REPLAY_DEFAULTS.maxAttempts,
      ...options.bulk,
      deadline,
    });
    summary.bulkRequests += outcome.requests;
    summary.bulkRetries += outcome.retries;
    summary.documents.indexed += outcome.indexed;
    summary.documents.duplicates += outcome.duplicates;
    summary.documents.failed += outcome.failed.length;

    const at = new Date(now()).toISOString();
    const letters = [
      ...decoded.errors.map((e) => unitLetter(e, { bucket, key: ref.key, etag, line: e.label }, at)),
      ...outcome.deadLetters.map((f) => documentLetter(f, at)),
    ];
    let failure: string | undefined;
    if (outcome.failed[0] !== undefined) {
      failure = `${outcome.failed.length} documents failed, e.g. ${outcome.failed[0].reason}`;
    }
    if (letters.length > 0) {
      try {
        summary.deadLetterLocations.push(await deps.deadLetters.write(letters, ref.key));
        summary.documents.deadLettered += outcome.deadLetters.length;
      } catch (error) {
        // Not stored means not handled: the object is read again by the next run.
        summary.documents.failed += outcome.deadLetters.length;
        failure = `${failure === undefined ? '' : `${failure}; `}dead letters not written: ${messageOf(error)}`;
      }
    }
    return failure;
  };

  // A small object is one chunk; a large one is streamed a chunk at a time (read-stream.ts), and
  // is checkpointed only when every chunk is handled.
  const processObject = async (ref: ObjectRef): Promise<void> => {
    const chunks = readObjectChunks(deps.s3, bucket, ref, deps.decoder, {
      ...CHUNKED_READ_DEFAULTS,
      ...options.read,
      maxObjectBytes,
    });
    const deadline = now() + objectTimeoutMs;
    let etag = ref.etag;
    let failure: string | undefined;
    try {
      for (let first = true; ; first = false) {
        let next: IteratorResult<ReadResult>;
        try {
          next = await chunks.next();
        } catch (error) {
          finish(ref, etag, `read failed: ${messageOf(error)}`);
          return;
        }
        if (next.done === true) break;
        etag = next.value.etag;
        // Not read at all: neither indexed nor dead-lettered nor checkpointed, so the same command
        // with a larger limit reads it.
        const tooLarge = first ? objectTooLarge(next.value.decoded) : undefined;
        if (tooLarge !== undefined) {
          summary.bytes += next.value.bytes;
          finish(ref, etag, `${tooLarge.message}: not read; run again with a larger --max-object-mib`, {
            tooLarge: true,
          });
          return;
        }
        const chunkFailure = await processChunk(ref, next.value, first, deadline);
        failure ??= chunkFailure;
      }
    } finally {
      // Left early (a bug in a chunk): close the download rather than leave it open.
      await chunks.return(undefined);
    }
    finish(ref, etag, failure);
  };

  let started = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const ref = await queue.shift();
      if (ref === undefined) return;
      started++;
      if (options.maxObjects !== undefined && started >= options.maxObjects) {
        stop('stopped', `stopped after ${options.maxObjects} objects (maxObjects)`);
      }
      try {
        await processObject(ref);
      } catch (error) {
        // A bug, not the cluster (bulkIndex reports those): still counted, still not checkpointed.
        finish(ref, ref.etag, `unexpected error: ${messageOf(error)}`);
      }
    }
  };

  progress.update(snapshot());
  try {
    await Promise.all([lister(), ...Array.from({ length: concurrency }, worker)]);
  } finally {
    deps.signal?.removeEventListener('abort', onAbort);
  }
  if (checkpoint !== undefined) {
    try {
      await checkpoint.close();
    } catch (error) {
      stop('failed', messageOf(error));
    }
  }
  if (stopped !== undefined) {
    summary.status = stopped.status;
    summary.error = stopped.reason;
  }
  summary.seconds = (now() - startedAt) / 1000;
  progress.finish(snapshot());
  return summary;
}

/**
 * Creates the templates when the cluster has no index template for the prefix; otherwise leaves
 * them to their owner (the dashboards stack sets shards and replicas for production).
 */
async function ensureTemplatesIfMissing(
  client: Client,
  prefix: string,
  templateOptions: Omit<TemplateOptions, 'prefix'> | undefined,
): Promise<'created' | 'present'> {
  // Exactly our names: `logs-*` also matches the templates of a `logs-archive` prefix.
  const ours = new Set(buildTemplates({ prefix }).indexTemplates.map((t) => t.name));
  const existing = await client.indices.getIndexTemplate({ name: `${prefix}-*` }, { ignore: [404] });
  const templates = (existing.body as { index_templates?: Array<{ name?: string }> }).index_templates ?? [];
  if (templates.some((t) => t.name !== undefined && ours.has(t.name))) return 'present';
  await ensureTemplates(client, { ...templateOptions, prefix });
  return 'created';
}

function unitLetter(error: UnitError, source: ReplaySource, at: string): DeadLetter {
  return {
    reason: error.error.message,
    type: `decode_error:${error.error.reason}`,
    source,
    ...(error.data === undefined ? {} : { data: error.data }),
    at,
  };
}

function documentLetter(failure: ItemFailure<ReplaySource>, at: string): DeadLetter {
  return {
    reason: failure.reason,
    type: failure.type ?? 'unknown',
    status: failure.status,
    source: failure.item.source,
    index: failure.item.index,
    id: failure.item.id,
    document: failure.item.document,
    at,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
