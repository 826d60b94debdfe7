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
): AsyncGenerator<ObjectRef[]> {
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        ...(prefix === '' ? {} : { Prefix: prefix }),
        ...(token === undefined ? {} : { ContinuationToken: token }),
      }),
      signal === undefined ? {} : { abortSignal: signal },
    );
    const refs: ObjectRef[] = [];
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined || object.Key.endsWith('/')) continue;
      refs.push({ key: object.Key, size: object.Size ?? 0, etag: unquoteEtag(object.ETag) });
    }
    yield refs;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
}

/** S3 sends ETags in quotes (`"9b2cf535f27731c974343645a3985328"`); we store them bare. */
export function unquoteEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^"(.*)"$/, '$1');
}
