import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { daysOfSegments, YEAR } from './filter.ts';

/** One archive object as the listing describes it: all replay keeps in memory per object. */
export interface ObjectRef {
  readonly key: string;
  readonly size: number;
  /** Without the quotes S3 puts around it; `""` when the listing gave none. */
  readonly etag: string;
}

/**
 * Lists `bucket` under `prefix` one page (up to 1,000 keys) at a time, in key order
 * (ListObjectsV2 with continuation tokens), so a bucket of any size is never held in memory.
 * Folder placeholders (keys ending in `/`, as the console creates them) are left out.
 */
export async function* listObjects(
  s3: S3Client,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
  /** Keys per page (S3's `MaxKeys`, at most 1,000, its default). */
  pageSize?: number,
): AsyncGenerator<ObjectRef[]> {
  let token: string | undefined;
  do {
    const page = await listPage(s3, { bucket, prefix, pageSize, token }, signal);
    yield page.refs;
    token = page.next;
  } while (token !== undefined);
}

/** One ListObjectsV2 page: its objects (folder placeholders left out), common prefixes and next token. */
async function listPage(
  s3: S3Client,
  request: {
    readonly bucket: string;
    readonly prefix: string;
    readonly delimiter?: string;
    readonly pageSize?: number | undefined;
    readonly token?: string | undefined;
  },
  signal: AbortSignal | undefined,
): Promise<{ refs: ObjectRef[]; commonPrefixes: string[]; next: string | undefined }> {
  const { bucket, prefix, delimiter, pageSize, token } = request;
  const page = await s3.send(
    new ListObjectsV2Command({
      Bucket: bucket,
      ...(delimiter === undefined ? {} : { Delimiter: delimiter }),
      ...(prefix === '' ? {} : { Prefix: prefix }),
      ...(pageSize === undefined ? {} : { MaxKeys: pageSize }),
      ...(token === undefined ? {} : { ContinuationToken: token }),
    }),
    signal === undefined ? {} : { abortSignal: signal },
  );
  const refs: ObjectRef[] = [];
  for (const object of page.Contents ?? []) {
    if (object.Key === undefined || object.Key.endsWith('/')) continue;
    refs.push({ key: object.Key, size: object.Size ?? 0, etag: unquoteEtag(object.ETag) });
  }
  const commonPrefixes: string[] = [];
  for (const common of page.CommonPrefixes ?? []) {
    if (common.Prefix !== undefined) commonPrefixes.push(common.Prefix);
  }
  return { refs, commonPrefixes, next: page.IsTruncated ? page.NextContinuationToken : undefined };
}

/**
 * Whether anything under a partition subtree (`account=<id>`, `dataset=<ds>`: one key segment,
 * without its slash) can be selected.
 */
export type PartitionTest = (segment: string) => boolean;

/** Options of {@link listPartitions}. */
export interface PartitionListing {
  /** Subtrees it refuses are not listed at all. */
  readonly keep: PartitionTest;
  /** Called with each subtree's prefix that was left out. */
  readonly onSkip?: (prefix: string) => void;
  /**
   * How many levels without a partition segment (`archive/`, `errors/`) it descends one at a
   * time looking for partitions before listing a subtree flat. Default 2.
   */
  readonly maxDepth?: number;
  /**
   * Whether a run of days can hold anything selected. Given, a date level (`yyyy/MM/dd/`) is
   * walked too: a year, month or day it refuses is not listed. Without it, date levels are
   * listed flat. See {@link DayTest}.
   */
  readonly keepDays?: DayTest;
  /** Keys and subtrees per ListObjectsV2 page (S3's `MaxKeys`, at most 1,000, its default). */
  readonly pageSize?: number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Whether anything dated from `first` to `last` (UTC midnights, both included) can be selected.
 * `kind` is `partition` below an `account=`/`dataset=` segment (the day of each payload's first
 * document) and `arrival` elsewhere (the day Firehose or the indexer wrote the object).
 */
export type DayTest = (first: number, last: number, kind: 'partition' | 'arrival') => boolean;

/**
 * Lists `prefix` as {@link listObjects} does, but walks the archive's partition levels one at a
 * time (ListObjectsV2 with `Delimiter: '/'`) and leaves out every `account=`/`dataset=` subtree
 * `keep` refuses without listing a key of it: replaying one account of an organization's archive
 * lists that account's objects, not every account's. With `keepDays`, the date levels below
 * (`yyyy/MM/dd/`, in the partitions, the error prefix and the dead letters alike) are walked the
 * same way, so replaying a day of a five-year archive lists that day. A level deeper than
 * `maxDepth` without partitions or dates is listed flat. Keys come subtree by subtree, each in key
 * order; every key under `prefix` that is not in a left-out subtree is listed exactly once.
 */
export async function* listPartitions(
  s3: S3Client,
  bucket: string,
  prefix: string,
  options: PartitionListing,
): AsyncGenerator<ObjectRef[]> {
  const { keep, keepDays, onSkip, signal, pageSize } = options;
  const maxDepth = options.maxDepth ?? 2;

  /** Every page of `at` with a delimiter: its objects, then what `descend` makes of each subtree. */
  async function* walk(
    at: string,
    descend: (sub: string, segment: string) => AsyncGenerator<ObjectRef[]>,
  ): AsyncGenerator<ObjectRef[]> {
    let token: string | undefined;
    do {
      const page = await listPage(s3, { bucket, prefix: at, delimiter: '/', pageSize, token }, signal);
      if (page.refs.length > 0) yield page.refs;
      for (const sub of page.commonPrefixes) {
        // Anything else is not below `at` as a subtree; S3 never sends it, but nothing is lost.
        if (!sub.startsWith(at) || !sub.endsWith('/')) continue;
        yield* descend(sub, sub.slice(at.length, -1));
      }
      token = page.next;
    } while (token !== undefined);
  }

  const flat = (sub: string) => listObjects(s3, bucket, sub, signal, pageSize);

  function level(at: string, depth: number, partitioned: boolean): AsyncGenerator<ObjectRef[]> {
    // Only a whole segment names a partition or a year (`--prefix archive/acc` cuts one in two).
    const aligned = at === '' || at.endsWith('/');
    return walk(at, (sub, segment) => {
      if (aligned && PARTITION_SEGMENT.test(segment)) {
        if (keep(segment)) return level(sub, depth, true);
        return skip(sub);
      }
      if (YEAR.test(segment)) {
        if (!aligned || keepDays === undefined) return flat(sub);
        return year(sub, Number(segment), partitioned ? 'partition' : 'arrival');
      }
      return depth < maxDepth ? level(sub, depth + 1, partitioned) : flat(sub);
    });
  }

  // eslint-disable-next-line require-yield -- a left-out subtree yields nothing
  async function* skip(sub: string): AsyncGenerator<ObjectRef[]> {
    onSkip?.(sub);
  }

  /**
   * Below a year folder: a year, month or day the filter refuses is left unlisted; anything in
   * it that is not a month or day (per {@link daysOfSegments}, as `parseKey` reads keys) is
   * listed flat.
   */
  function year(at: string, y: number, kind: 'partition' | 'arrival'): AsyncGenerator<ObjectRef[]> {
    const wholeYear = daysOfSegments(y, undefined, undefined);
    if (!keepsDays(wholeYear, kind)) return skip(at);
    return walk(at, (monthSub, month) => {
      const inMonth = daysOfSegments(y, month, undefined);
      // Not a month: what is below it may be anywhere in the year, which is kept.
      if (inMonth.first === wholeYear.first && inMonth.last === wholeYear.last) return flat(monthSub);
      if (!keepsDays(inMonth, kind)) return skip(monthSub);
      return walk(monthSub, (daySub, day) => {
        const onDay = daysOfSegments(y, month, day);
        // Not a day of this month: anywhere in the month, which is kept.
        if (onDay.first !== onDay.last) return flat(daySub);
        return keepsDays(onDay, kind) ? flat(daySub) : skip(daySub);
      });
    });
  }

  const keepsDays = (days: { first: number; last: number }, kind: 'partition' | 'arrival') =>
    keepDays === undefined || keepDays(days.first, days.last, kind);

  // A prefix that already names a partition (`archive/account=…/`) is inside one.
  yield* level(
    prefix,
    0,
    prefix.split('/').some((segment) => PARTITION_SEGMENT.test(segment)),
  );
}

const PARTITION_SEGMENT = /^(?:account|dataset)=/;

/** S3 sends ETags in quotes (`"9b2cf535f27731c974343645a3985328"`); we store them bare. */
export function unquoteEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^"(.*)"$/, '$1');
}
