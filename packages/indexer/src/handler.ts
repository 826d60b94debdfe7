// The indexer Lambda (Kinesis Data Streams event source, ReportBatchItemFailures). Module scope
// runs once per cold start: a bad configuration fails here, naming the variable.
import { S3Client } from '@aws-sdk/client-s3';
import {
  createDecoder,
  createLogger,
  emfLine,
  levelFromEnv,
  type KinesisStreamEvent,
} from '@central-logging/decoder';
import { MIN_REQUEST_MS } from './bulk.ts';
import { createOpenSearchClient } from './client.ts';
import { indexerConfigFromEnv } from './config.ts';
import { s3DeadLetterSink } from './dead-letter.ts';
import { indexKinesisEvent, returnWholeBatch, type KinesisBatchResponse } from './kinesis.ts';

const config = indexerConfigFromEnv(process.env);
const client = createOpenSearchClient(config.opensearch, config.bulk.requestTimeoutMs);
const decoder = createDecoder(config.decoder);
const deadLetters = s3DeadLetterSink(new S3Client({}), config.deadLetter.bucket, config.deadLetter.prefix);
const logger = createLogger('indexer', levelFromEnv(process.env.LOG_LEVEL));

/** The part of Lambda's context the indexer reads. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  readonly awsRequestId?: string;
}

export const handler = async (
  event: KinesisStreamEvent,
  context: LambdaContext,
): Promise<KinesisBatchResponse> => {
  const remainingMs = context.getRemainingTimeInMillis();
  if (remainingMs - config.timeReserveMs < MIN_REQUEST_MS) {
    // A function timeout at or below the reserve leaves no time for a single bulk request: each
    // would time out at once and every record fail with nothing to say why.
    logger.error('No time to index: the function timeout must exceed TIME_RESERVE_MS', {
      remainingMs,
      timeReserveMs: config.timeReserveMs,
      minimumMs: MIN_REQUEST_MS,
      records: event.Records.length,
      action:
        'raise the function timeout (60 s or more) or lower TIME_RESERVE_MS; records returned to Kinesis',
    });
    return returnWholeBatch(event);
  }
  const deadline = Date.now() + remainingMs - config.timeReserveMs;
  const { response, summary } = await indexKinesisEvent(event, {
    client,
    decoder,
    deadLetters,
    indexPrefix: config.indexPrefix,
    bulk: { ...config.bulk, deadline },
  });
  const { reasons, deadLetterObjects, eventsByAccount, ...counts } = summary;
  // One line per batch: metrics for alarms (EMF) and the first reasons for whoever looks.
  let lines =
    emfLine(config.metricsNamespace, { Service: 'indexer' }, counts, {
      requestId: context.awsRequestId,
      deadLetterObjects,
      reasons,
    }) + '\n';
  // Per-account counts only when asked for: one metric per account of the fleet (bounded by it),
  // for the "account went quiet" alarms.
  if (config.metricsByAccount) {
    for (const [account, events] of Object.entries(eventsByAccount)) {
      lines +=
        emfLine(
          config.metricsNamespace,
          { Service: 'indexer', Account: account },
          { AccountEvents: events },
        ) + '\n';
    }
  }
  process.stdout.write(lines);
  if (summary.failedRecords > 0 || summary.deadLettered > 0 || summary.decodeErrors > 0) {
    logger.warn('Batch indexed with failures', {
      failedRecords: summary.failedRecords,
      reasons,
      deadLetterObjects,
    });
  }
  return response;
};
