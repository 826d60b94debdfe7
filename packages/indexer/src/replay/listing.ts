import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

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
  /** Keys and subtrees per ListObjectsV2 page (S3's `MaxKeys`, at most 1,000, its default). */
  readonly pageSize?: number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Lists `prefix` as {@link listObjects} does, but walks the archive's partition levels one at a
 * time (ListObjectsV2 with `Delimiter: '/'`) and leaves out every `account=`/`dataset=` subtree
 * `keep` refuses without listing a key of it: replaying one account of an organization's archive
 * lists that account's objects, not every account's. A date level (`yyyy`), or a level deeper
 * than `maxDepth` without partitions, is listed flat as before. Keys come subtree by subtree, each
 * in key order; every key under `prefix` that is not in a left-out subtree is listed exactly once.
 */
export async function* listPartitions(
  s3: S3Client,
  bucket: string,
  prefix: string,
  options: PartitionListing,
): AsyncGenerator<ObjectRef[]> {
  const { keep, onSkip, signal, pageSize } = options;
  const maxDepth = options.maxDepth ?? 2;

  async function* level(at: string, depth: number): AsyncGenerator<ObjectRef[]> {
    const aligned = at === '' || at.endsWith('/');
    let token: string | undefined;
    do {
      const page = await listPage(s3, { bucket, prefix: at, delimiter: '/', pageSize, token }, signal);
      if (page.refs.length > 0) yield page.refs;
      for (const sub of page.commonPrefixes) {
        if (!sub.startsWith(at) || !sub.endsWith('/')) continue;
        const segment = sub.slice(at.length, -1);
        // Only a whole segment names a partition (`--prefix archive/acc` cuts one in two).
        if (aligned && PARTITION_SEGMENT.test(segment)) {
          if (keep(segment)) yield* level(sub, depth);
          else onSkip?.(sub);
        } else if (depth < maxDepth && !DATE_SEGMENT.test(segment)) {
          yield* level(sub, depth + 1);
        } else {
          yield* listObjects(s3, bucket, sub, signal, pageSize);
        }
      }
      token = page.next;
    } while (token !== undefined);
  }

  yield* level(prefix, 0);
}

const PARTITION_SEGMENT = /^(?:account|dataset)=/;
const DATE_SEGMENT = /^\d{4}$/;

/** S3 sends ETags in quotes (`"9b2cf535f27731c974343645a3985328"`); we store them bare. */
export function unquoteEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^"(.*)"$/, '$1');
}
