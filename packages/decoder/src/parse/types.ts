import type { AwsFields, CloudFields, Dataset, EventFields, LogDocument } from '@central-logging/log-schema';

/** What a parser knows about the log event besides its message. */
export interface ParseContext {
  readonly logGroup: string;
  readonly logStream: string;
  /** The account that owns the log group (CloudWatch Logs `owner`). */
  readonly owner: string;
}

/**
 * The fields a parser fills. The envelope-derived fields (`event.id`, `event.dataset`,
 * `event.original`, `aws.cloudwatch`, the account fallback) are added by `normalize`.
 */
export type ParsedFields = Omit<LogDocument, '@timestamp' | 'event' | 'cloud' | 'aws'> & {
  event?: Omit<Partial<EventFields>, 'id' | 'dataset' | 'original'>;
  cloud?: Partial<Omit<CloudFields, 'account' | 'provider'>> & { account?: { id?: string } };
  aws?: Omit<AwsFields, 'cloudwatch'>;
};

/** A message that a parser understood. */
export interface ParsedEvent {
  readonly dataset: Dataset;
  /** Source time in epoch milliseconds, when the record carries one (flow end for flow logs). */
  readonly timestamp?: number | undefined;
  readonly fields: ParsedFields;
}

/** A message that claimed to be of a parser's format but was not; kept with this reason. */
export interface ParseFailure {
  readonly failure: string;
}

/** Either outcome of a parser. */
export type ParseResult = ParsedEvent | ParseFailure;

/** Builds a {@link ParseFailure}. */
export function parseFailure(reason: string): ParseFailure {
  return { failure: reason };
}

/** True when a parser (or format parser) rejected its input. */
export function isParseFailure<T extends object>(result: T | ParseFailure): result is ParseFailure {
  return 'failure' in result;
}

/**
 * What a parser returns: one result per log event, or several when one log event carries many
 * records (a CloudTrail `{"Records":[…]}` file, GuardDuty `{"findings":[…]}`); an empty array
 * means the event deliberately carries nothing (e.g. `{"findings":[]}`).
 */
export type ParseOutput = ParseResult | readonly ParseResult[];
