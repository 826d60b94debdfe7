import type { LogDocument } from '@central-logging/log-schema';
import type { DataMessage, SubscriptionLogEvent } from './envelope/cloudwatch-subscription.ts';
import type { ParsedEvent } from './parse/types.ts';
import { isoTime } from './time.ts';

// The largest instant a JavaScript Date can hold (ECMA-262 §21.4.1.22); beyond it toISOString throws.
const MAX_TIME_MS = 8.64e15;

/** Why a document is not the parsed form of its message; becomes a `tags` entry. */
export type DocumentTag = 'parse_failure' | 'message_too_large';

/** Everything normalize needs besides the parser's result. */
export interface NormalizeInput {
  readonly parsed: ParsedEvent;
  readonly event: SubscriptionLogEvent;
  readonly envelope: DataMessage;
  readonly keepOriginal: boolean;
  /** Position of this document among several from one log event (CloudTrail `Records`). */
  readonly index?: number | undefined;
  readonly tag?: DocumentTag | undefined;
  readonly failure?: string | undefined;
}

/**
 * Builds the final document: the parser's fields plus what only the envelope knows. The account
 * is the record's own when it has one (CloudTrail `recipientAccountId`), else the extracted
 * `@aws.account` of a centralized log group, else the log group's owner.
 */
export function normalize(input: NormalizeInput): LogDocument {
  const { parsed, event, envelope } = input;
  // The parser's objects are fresh per call and owned by us now: complete them in place rather
  // than copying (copies were a tenth of the decoder's time and most of its garbage).
  const fields = parsed.fields;
  const extracted = event.extractedFields;
  const sourceTime = parsed.timestamp;
  const time =
    sourceTime !== undefined && Number.isFinite(sourceTime) && Math.abs(sourceTime) <= MAX_TIME_MS
      ? sourceTime
      : event.timestamp;

  const parsedEvent = fields.event ?? {};
  const eventFields = parsedEvent as LogDocument['event'];
  // One log event may carry several records; each gets the event id plus its position.
  eventFields.id = input.index === undefined ? event.id : `${event.id}-${input.index}`;
  eventFields.dataset = parsed.dataset;
  if (input.keepOriginal) eventFields.original = event.message;

  const cloud = (fields.cloud ?? {}) as LogDocument['cloud'];
  cloud.provider = 'aws';
  const accountId = fields.cloud?.account?.id ?? extracted?.['@aws.account'] ?? envelope.owner;
  cloud.account = { id: accountId };
  if (cloud.region === undefined) {
    const region = extracted?.['@aws.region'];
    if (region !== undefined) cloud.region = region;
  }

  const aws = (fields.aws ?? {}) as LogDocument['aws'];
  aws.cloudwatch = { log_group: envelope.logGroup, log_stream: envelope.logStream, owner: envelope.owner };

  // A shallow copy only to put @timestamp first, where people reading NDJSON look for it.
  const document = { '@timestamp': isoTime(time), ...fields } as LogDocument;
  document.event = eventFields;
  document.cloud = cloud;
  document.aws = aws;
  if (input.tag !== undefined) {
    document.tags = [...(document.tags ?? []), input.tag];
    if (input.failure !== undefined) document.error = { type: input.tag, message: input.failure };
  }
  return document;
}
