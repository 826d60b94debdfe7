import type { LogDocument } from '@central-logging/log-schema';
import type { DataMessage, SubscriptionLogEvent } from './envelope/cloudwatch-subscription.ts';
import type { ParsedEvent } from './parse/types.ts';

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
  const { event: parsedEvent, cloud: parsedCloud, aws: parsedAws, ...rest } = parsed.fields;
  const extracted = event.extractedFields;
  const region = parsedCloud?.region ?? extracted?.['@aws.region'];
  const sourceTime = parsed.timestamp;
  const time =
    sourceTime !== undefined && Number.isFinite(sourceTime) && Math.abs(sourceTime) <= MAX_TIME_MS
      ? sourceTime
      : event.timestamp;

  const document: LogDocument = {
    '@timestamp': new Date(time).toISOString(),
    ...rest,
    event: {
      ...parsedEvent,
      // One log event may carry several records; each gets the event id plus its position.
      id: input.index === undefined ? event.id : `${event.id}-${input.index}`,
      dataset: parsed.dataset,
      ...(input.keepOriginal ? { original: event.message } : {}),
    },
    cloud: {
      ...parsedCloud,
      provider: 'aws',
      account: { id: parsedCloud?.account?.id ?? extracted?.['@aws.account'] ?? envelope.owner },
      ...(region === undefined ? {} : { region }),
    },
    aws: {
      ...parsedAws,
      cloudwatch: {
        log_group: envelope.logGroup,
        log_stream: envelope.logStream,
        owner: envelope.owner,
      },
    },
  };
  if (input.tag !== undefined) {
    document.tags = [...(rest.tags ?? []), input.tag];
    if (input.failure !== undefined) document.error = { type: input.tag, message: input.failure };
  }
  return document;
}
