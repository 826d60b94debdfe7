import type { Client } from '@opensearch-project/opensearch';
import {
  decodeKinesisEvent,
  type Decoder,
  type KinesisStreamEvent,
  type RecordCoordinates,
} from '@central-logging/decoder';
import { bulkIndex, type BulkOptions, type IndexItem, type ItemFailure } from './bulk.ts';
import type { DeadLetter, DeadLetterSink } from './dead-letter.ts';
import { indexNameFor } from './templates.ts';

/** The partial-batch response Lambda expects with `ReportBatchItemFailures`. */
export interface KinesisBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * What became of one batch. Documents add up: `indexed + duplicates + deadLettered +
 * retryLater = documents`, and records: `decodeErrors` dead-lettered, `control` dropped on purpose,
 * `failedRecords` returned to Kinesis (their documents are in `retryLater`).
 */
export interface BatchSummary {
  records: number;
  control: number;
  decodeErrors: number;
  documents: number;
  indexed: number;
  duplicates: number;
  deadLettered: number;
  retryLater: number;
  failedRecords: number;
  bulkRequests: number;
  bulkRetries: number;
  bulkBytes: number;
  deadLetterObjects: string[];
  /**
   * Log events received per CloudWatch Logs owner account (which a sender cannot forge): what the
   * "account went quiet" alarms watch when `METRICS_BY_ACCOUNT` is on.
   */
  eventsByAccount: Record<string, number>;
  /** The first few reasons, for the log line; counts are in the fields above. */
  reasons: string[];
}

export interface KinesisIndexerDeps {
  readonly client: Client;
  readonly decoder: Decoder;
  readonly deadLetters: DeadLetterSink;
  readonly indexPrefix: string;
  readonly bulk: BulkOptions;
}

/**
 * Decodes a Kinesis batch and indexes its documents. A record is reported back to Kinesis when any
 * of its documents is still retryable; everything else is indexed, already there, dead-lettered
 * with its reason, or a control message. Redelivery is harmless: `_id` makes it a no-op.
 */
export async function indexKinesisEvent(
  event: KinesisStreamEvent,
  deps: KinesisIndexerDeps,
): Promise<{ response: KinesisBatchResponse; summary: BatchSummary }> {
  const decoded = decodeKinesisEvent(event, deps.decoder);
  const summary: BatchSummary = {
    records: decoded.length,
    control: 0,
    decodeErrors: 0,
    documents: 0,
    indexed: 0,
    duplicates: 0,
    deadLettered: 0,
    retryLater: 0,
    failedRecords: 0,
    bulkRequests: 0,
    bulkRetries: 0,
    bulkBytes: 0,
    deadLetterObjects: [],
    eventsByAccount: {},
    reasons: [],
  };

  const items: IndexItem<RecordCoordinates>[] = [];
  const lettersByRecord = new Map<string, DeadLetter[]>();
  const at = new Date().toISOString();
  decoded.forEach(({ coordinates, result }, i) => {
    if (result.kind === 'control') {
      summary.control++;
    } else if (result.kind === 'error') {
      // An undecodable payload will not decode on retry either: keep its bytes and move on.
      summary.decodeErrors++;
      note(summary, `${result.error.reason}: ${result.error.message}`);
      addLetter(lettersByRecord, coordinates, {
        reason: result.error.message,
        type: `decode_error:${result.error.reason}`,
        source: coordinates,
        data: event.Records[i]?.kinesis.data,
        at,
      });
    } else {
      const owner = result.message.owner;
      summary.eventsByAccount[owner] =
        (summary.eventsByAccount[owner] ?? 0) + result.message.logEvents.length;
      for (const document of result.documents) {
        items.push({
          index: indexNameFor(document.event.dataset, document['@timestamp'], deps.indexPrefix),
          id: document.event.id,
          document,
          source: coordinates,
        });
      }
    }
  });
  summary.documents = items.length;

  const outcome = await bulkIndex(deps.client, items, deps.bulk);
  summary.indexed = outcome.indexed;
  summary.duplicates = outcome.duplicates;
  summary.retryLater = outcome.failed.length;
  summary.bulkRequests = outcome.requests;
  summary.bulkRetries = outcome.retries;
  summary.bulkBytes = outcome.bytes;
  for (const failure of outcome.deadLetters) {
    addLetter(lettersByRecord, failure.item.source, documentLetter(failure, at));
  }
  for (const failure of [...outcome.failed, ...outcome.deadLetters].slice(0, 5))
    note(summary, failure.reason);

  // Lambda resumes the shard from the lowest failed sequence number, so every record from there on
  // comes back, failed or not: their dead letters are written when they do, once. Until then they
  // are not done, and are reported with the failed ones.
  const failed = new Set(outcome.failed.map((f) => f.item.source.sequenceNumber));
  const lowest = lowestSequenceNumber(failed);
  const ready: [string, DeadLetter[]][] = [];
  for (const [sequenceNumber, list] of lettersByRecord) {
    if (lowest !== undefined && BigInt(sequenceNumber) >= lowest) failed.add(sequenceNumber);
    else ready.push([sequenceNumber, list]);
  }
  const letters = ready.flatMap(([, list]) => list);
  if (letters.length > 0) {
    const shard = decoded[0]?.coordinates.shardId ?? 'unknown-shard';
    try {
      summary.deadLetterObjects.push(await deps.deadLetters.write(letters, shard));
    } catch (error) {
      // Not stored means not handled: the records go back to Kinesis and are retried whole.
      note(summary, `dead-letter write failed: ${error instanceof Error ? error.message : String(error)}`);
      for (const [sequenceNumber] of ready) failed.add(sequenceNumber);
    }
  }
  for (const [sequenceNumber, list] of lettersByRecord) {
    const documents = list.filter((letter) => letter.document !== undefined).length;
    if (failed.has(sequenceNumber)) summary.retryLater += documents;
    else summary.deadLettered += documents;
  }

  const batchItemFailures = decoded
    .filter(({ coordinates }) => failed.has(coordinates.sequenceNumber))
    .map(({ coordinates }) => ({ itemIdentifier: coordinates.sequenceNumber }));
  summary.failedRecords = batchItemFailures.length;
  return { response: { batchItemFailures }, summary };
}

/** Every record of the batch back to Kinesis, untouched: for an invocation that cannot index. */
export function returnWholeBatch(event: KinesisStreamEvent): KinesisBatchResponse {
  return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })) };
}

/** The lowest of Kinesis sequence numbers (decimal strings of up to 128 bits: compared as BigInt). */
function lowestSequenceNumber(sequenceNumbers: Iterable<string>): bigint | undefined {
  let lowest: bigint | undefined;
  for (const sequenceNumber of sequenceNumbers) {
    const n = BigInt(sequenceNumber);
    if (lowest === undefined || n < lowest) lowest = n;
  }
  return lowest;
}

function addLetter(map: Map<string, DeadLetter[]>, source: RecordCoordinates, letter: DeadLetter): void {
  const list = map.get(source.sequenceNumber);
  if (list) list.push(letter);
  else map.set(source.sequenceNumber, [letter]);
}

function documentLetter(failure: ItemFailure<RecordCoordinates>, at: string): DeadLetter {
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

function note(summary: BatchSummary, reason: string): void {
  if (summary.reasons.length < 10) summary.reasons.push(reason);
}
