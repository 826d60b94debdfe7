import { DATASETS, isDataset, type Dataset, type LogDocument } from '@central-logging/log-schema';

/**
 * What a replay selects. Every field is optional; an absent one selects everything.
 *
 * The time range applies to each document's `@timestamp` exactly (`since` inclusive, `until`
 * exclusive); object keys only prune what cannot hold a match (see {@link keyMayMatch}).
 *
 * `accounts` are CloudWatch Logs owners: the `account=` partition our Firehose writes is the
 * payload's `owner`, and each document carries it as `aws.cloudwatch.owner`. We filter on the
 * owner, not on `cloud.account.id`, for two reasons: only the owner lets whole partitions be
 * skipped (an organization trail's events for every account are archived under the management
 * account), and CloudWatch Logs sets it, so a member account cannot put its lines into another
 * account's replay by writing a record that names it (packages/decoder/README.md, "Which account
 * to trust").
 */
export interface ReplayFilter {
  /** Epoch ms, inclusive. */
  readonly since?: number | undefined;
  /** Epoch ms, exclusive. */
  readonly until?: number | undefined;
  /** CloudWatch Logs owner account ids (12 digits). */
  readonly accounts?: ReadonlySet<string> | undefined;
  /** Each document's `event.dataset`; object keys cannot tell it (see {@link KeyPartition}). */
  readonly datasets?: ReadonlySet<Dataset> | undefined;
}

/**
 * Where an object sits in the archive layout, as far as its key says. Not its dataset: the
 * `dataset=` segment is the dataset of each payload's first document only, and a payload mixes
 * datasets (a flow-log payload whose first line is garbled is filed under
 * `dataset=aws.cloudwatch_logs` with its flow records), so datasets are told by documents alone.
 */
export interface KeyPartition {
  /** The `account=<id>` segment: the CloudWatch Logs owner of every payload in the object. */
  readonly account?: string;
  /**
   * Epoch ms of the UTC midnight of the first day the key's date segments allow: the day of
   * `yyyy/MM/dd/`, or the first day of the month or year when only `yyyy/MM/` or `yyyy/` is one.
   */
  readonly day?: number;
  /** The last such day: `day` itself for a whole date. Present whenever `day` is. */
  readonly lastDay?: number;
  /**
   * What that day means. `partition`: the day of a payload's first document (our dynamic
   * partitions, recognised by an `account=`/`dataset=` segment). `arrival`: when Firehose or the
   * indexer wrote the object (the error prefix, dead letters, Firehose's default prefix) — never
   * before the events in it happened.
   */
  readonly dayKind?: 'partition' | 'arrival';
}

/** One UTC day in milliseconds. */
export const DAY_MS = 86_400_000;

/**
 * Reads the partition segments of an archive key:
 * `…/account=<id>/dataset=<ds>/yyyy/MM/dd/…` (decoder Lambda partition keys),
 * `errors/processing-failed/yyyy/MM/dd/HH/…` (error prefix), `dead-letter/…/yyyy/MM/dd/…`.
 *
 * The first folder named by four digits is a year, and the segments after it narrow it as far as
 * they are a month and a day of it: `2023/02/30/x` is somewhere in February 2023, `2023/x/y`
 * somewhere in 2023. The partition listing prunes years, months and days by the same rule, so a
 * key it leaves unlisted is one this would have refused.
 */
export function parseKey(key: string): KeyPartition {
  const segments = key.split('/');
  let account: string | undefined;
  let partitioned = false;
  let days: { first: number; last: number } | undefined;
  // The last segment is the object's name, never a folder.
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] ?? '';
    if (segment.startsWith('account=') || segment.startsWith('dataset=')) {
      partitioned = true;
      if (account === undefined && segment.startsWith('account=')) account = segment.slice('account='.length);
    } else if (days === undefined && i < segments.length - 1 && YEAR.test(segment)) {
      days = daysOfSegments(Number(segment), segments[i + 1], segments[i + 2]);
    }
  }
  return {
    ...(account === undefined ? {} : { account }),
    ...(days === undefined
      ? {}
      : { day: days.first, lastDay: days.last, dayKind: partitioned ? 'partition' : 'arrival' }),
  };
}

/** A year folder (`yyyy/`): the listing walks the same segments. */
export const YEAR = /^\d{4}$/;
const TWO_DIGITS = /^\d{2}$/;

/**
 * The days `year` and the segments after it can name: one day, a month or the year. Shared with
 * the listing, so pruning a folder and refusing a key under it always agree.
 */
export function daysOfSegments(
  year: number,
  month: string | undefined,
  day: string | undefined,
): { first: number; last: number } {
  const m = month !== undefined && TWO_DIGITS.test(month) ? Number(month) : 0;
  if (m < 1 || m > 12) return { first: Date.UTC(year, 0, 1), last: Date.UTC(year, 11, 31) };
  // Day 0 of the next month is this month's last day.
  const lastOfMonth = Date.UTC(year, m, 0);
  const d = day !== undefined && TWO_DIGITS.test(day) ? Number(day) : 0;
  if (d < 1 || d > new Date(lastOfMonth).getUTCDate())
    return { first: Date.UTC(year, m - 1, 1), last: lastOfMonth };
  const exact = Date.UTC(year, m - 1, d);
  return { first: exact, last: exact };
}

function utcDay(year: number, month: number, day: number): number | undefined {
  const millis = Date.UTC(year, month - 1, day);
  const date = new Date(millis);
  // Date.UTC rolls 2023-02-30 over into March: a segment that does so is not a date.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return undefined;
  }
  return millis;
}

function floorDay(millis: number): number {
  return Math.floor(millis / DAY_MS) * DAY_MS;
}

/**
 * False when the object at this key cannot hold a selected document, so it is not even read.
 *
 * - An `account=` segment must be selected (every payload under it has that owner). A `dataset=`
 *   segment never prunes: see {@link KeyPartition}.
 * - A `partition` day is the day of a payload's first document; the payload's other events may
 *   fall on the day before or after (CloudWatch Logs batches span at most 24 hours), so the day
 *   is kept within `marginDays` (default 1) of the range on either side.
 * - An `arrival` day is never before the events it holds (Firehose and the indexer write what
 *   already happened, but events may arrive days late), so it only bounds `since`, with the same
 *   margin for clock skew; `until` cannot prune it.
 *
 * Keys with none of this (any other layout) are always read; the documents decide.
 */
export function keyMayMatch(partition: KeyPartition, filter: ReplayFilter, marginDays = 1): boolean {
  if (filter.accounts && partition.account !== undefined && !filter.accounts.has(partition.account))
    return false;
  const { day, lastDay } = partition;
  if (day === undefined) return true;
  return daysMayMatch(day, lastDay ?? day, partition.dayKind ?? 'arrival', filter, marginDays);
}

/**
 * {@link keyMayMatch}'s test of a key's day, for a run of days: false when no day from `first`
 * to `last` (UTC midnights, both included) can hold a selected document. The listing asks it of
 * a whole year or month before listing under it.
 */
export function daysMayMatch(
  first: number,
  last: number,
  kind: 'partition' | 'arrival',
  filter: ReplayFilter,
  marginDays = 1,
): boolean {
  const margin = marginDays * DAY_MS;
  if (filter.since !== undefined && last < floorDay(filter.since) - margin) return false;
  if (kind === 'partition' && filter.until !== undefined) {
    // The last day holding a selected millisecond is the day of `until - 1`.
    if (first > floorDay(filter.until - 1) + margin) return false;
  }
  return true;
}

/** The exact test: the document's `@timestamp` is in [since, until), its owner and dataset selected. */
export function documentMatches(document: LogDocument, filter: ReplayFilter): boolean {
  if (filter.accounts && !filter.accounts.has(document.aws.cloudwatch.owner)) return false;
  if (filter.datasets && !filter.datasets.has(document.event.dataset)) return false;
  if (filter.since === undefined && filter.until === undefined) return true;
  const time = Date.parse(document['@timestamp']);
  // A document without a usable time cannot be placed in a range; it is selected only by none.
  if (Number.isNaN(time)) return false;
  if (filter.since !== undefined && time < filter.since) return false;
  if (filter.until !== undefined && time >= filter.until) return false;
  return true;
}

/**
 * True when object keys can rule anything out: a time range or accounts. Datasets cannot (see
 * {@link KeyPartition}); a replay selecting by dataset alone reads every object.
 */
export function keysCanPrune(filter: ReplayFilter): boolean {
  return filter.since !== undefined || filter.until !== undefined || Boolean(filter.accounts?.size);
}

/** True when the filter selects by nothing: every document of every object. */
export function selectsEverything(filter: ReplayFilter): boolean {
  return (
    filter.since === undefined &&
    filter.until === undefined &&
    !filter.accounts?.size &&
    !filter.datasets?.size
  );
}

// A date (UTC midnight), or a date-time WITH a zone: without one, Date.parse would use the zone of
// whatever machine runs the replay.
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses `--since`/`--until`: `2023-11-14` (UTC midnight) or an ISO-8601 date-time with a zone
 * (`2023-11-14T10:00:00Z`, `…+01:00`). Throws RangeError naming the option otherwise.
 */
export function parseTime(text: string, option: string): number {
  const date = DATE.exec(text);
  if (date) {
    const millis = utcDay(Number(date[1]), Number(date[2]), Number(date[3]));
    if (millis !== undefined) return millis;
  } else if (DATE_TIME.test(text)) {
    const millis = Date.parse(text);
    if (!Number.isNaN(millis)) return millis;
  }
  throw new RangeError(
    `${option} must be a date (2023-11-14, UTC) or a date-time with a zone (2023-11-14T10:00:00Z), got ${JSON.stringify(text)}`,
  );
}

/** Parses an `--account` value: a 12-digit AWS account id. */
export function parseAccount(text: string): string {
  if (!/^\d{12}$/.test(text)) {
    throw new RangeError(`--account must be a 12-digit AWS account id, got ${JSON.stringify(text)}`);
  }
  return text;
}

/** Parses a `--dataset` value: `aws.vpcflow`, or `vpcflow` for short. */
export function parseDataset(text: string): Dataset {
  const full = text.startsWith('aws.') ? text : `aws.${text}`;
  if (!isDataset(full)) {
    throw new RangeError(`--dataset must be one of ${DATASETS.join(', ')}, got ${JSON.stringify(text)}`);
  }
  return full;
}
