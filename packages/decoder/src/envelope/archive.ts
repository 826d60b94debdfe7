import { isDataset, type LogDocument } from '@central-logging/log-schema';
import { DecodeError } from '../errors.ts';
import { isRecord } from './cloudwatch-subscription.ts';

/**
 * Checks one line of an archive object (the NDJSON our Firehose writes to S3) is one of our
 * documents, so replay re-indexes exactly what was archived.
 */
export function validateArchivedDocument(value: unknown): LogDocument | DecodeError {
  if (!isRecord(value)) return invalid('line is not a JSON object');
  const { event, cloud, aws } = value;
  if (typeof value['@timestamp'] !== 'string') return invalid('@timestamp must be a string');
  if (!isRecord(event) || typeof event.id !== 'string') return invalid('event.id must be a string');
  if (typeof event.dataset !== 'string' || !isDataset(event.dataset)) {
    return invalid(`event.dataset ${JSON.stringify(event.dataset) ?? 'undefined'} is not a known dataset`);
  }
  if (!isRecord(cloud) || !isRecord(cloud.account) || typeof cloud.account.id !== 'string') {
    return invalid('cloud.account.id must be a string');
  }
  if (!isRecord(aws) || !isRecord(aws.cloudwatch)) return invalid('aws.cloudwatch must be an object');
  return value as unknown as LogDocument;
}

function invalid(detail: string): DecodeError {
  return new DecodeError('invalid_schema', `not an archived log document: ${detail}`);
}
