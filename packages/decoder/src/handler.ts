// The Firehose transformation Lambda. Module scope runs once per cold start: a bad configuration
// fails here, not at the 10,000th record. Not re-exported from index.ts.
import { firehoseProcessorConfigFromEnv } from './config.ts';
import { createDecoder } from './decoder.ts';
import {
  transformFirehoseEvent,
  type FirehoseTransformationEvent,
  type FirehoseTransformationResponse,
} from './firehose/transform.ts';
import { createLogger, levelFromEnv } from './logger.ts';

const config = firehoseProcessorConfigFromEnv(process.env);
const decoder = createDecoder(config.decoder);
const logger = createLogger('firehose-decoder', levelFromEnv(process.env.LOG_LEVEL));

/** Lambda entry: decode, normalize and partition one Firehose buffer. */
export const handler = async (
  event: FirehoseTransformationEvent,
): Promise<FirehoseTransformationResponse> => {
  const { response, summary } = transformFirehoseEvent(event, decoder, {
    limitBytes: config.responseLimitBytes,
    compression: config.compression,
  });
  const { failures, ...counts } = summary;
  // Failed records are not lost (Firehose writes their original bytes to the error prefix), but
  // someone should look: warn with the first few reasons, once per invocation.
  if (failures.length > 0) {
    logger.warn('Records sent to the error prefix', {
      ...counts,
      invocationId: event.invocationId,
      failures: failures.slice(0, 20),
    });
  } else {
    logger.info('Batch transformed', { ...counts, invocationId: event.invocationId });
  }
  return response;
};
