// The partition-aware listing against a real S3 API (s3rver): which keys it lists, and which
// ListObjectsV2 requests it makes, for the archive layout our Firehose writes and for others.
import { ListObjectsV2Command, PutObjectCommand, type ListObjectsV2CommandInput } from '@aws-sdk/client-s3';
import { startS3, type S3Server } from '@central-logging/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyMayMatch, parseKey } from '../../src/replay/filter.ts';
import { listObjects, listPartitions, type ObjectRef } from '../../src/replay/listing.ts';

const BUCKET = 'listing-archive';
const A = '111122223333';
const B = '444455556666';
const C = '777788889999';

// The production layout (archive/account=…/dataset=…/yyyy/MM/dd/…), the error prefix, the
// indexer's dead letters, and keys beside the partitions at every level.
const KEYS = [
  ...[A, B, C].flatMap((account) =>
    ['aws.vpcflow', 'aws.cloudtrail'].flatMap((dataset) =>
      ['2024/05/01', '2024/05/02'].map(
        (day) => `archive/account=${account}/dataset=${dataset}/${day}/central-1-2024-${account}.gz`,
      ),
    ),
  ),
  `archive/account=${A}/stray.gz`,
  'archive/loose.gz',
  'errors/processing-failed/2024/05/01/13/central-1-2024-05-01.gz',
  'dead-letter/indexer/2024/05/01/batch-1.json.gz',
  'top-level.gz',
].sort();

let s3: S3Server;

beforeAll(async () => {
  s3 = await startS3({ buckets: [BUCKET] });
  for (const key of KEYS) {
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
  }
});

afterAll(async () => {
  await s3?.stop();
});

/** Every key a listing yields, and every ListObjectsV2 request it made. */
async function run(
  pages: (client: S3Server['client']) => AsyncGenerator<ObjectRef[]>,
): Promise<{ keys: string[]; requests: ListObjectsV2CommandInput[] }> {
  const requests: ListObjectsV2CommandInput[] = [];
  const recording = new Proxy(s3.client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver) as unknown;
      return (command: unknown, options?: unknown) => {
        if (command instanceof ListObjectsV2Command) requests.push({ ...command.input });
        return (target.send as (c: unknown, o?: unknown) => Promise<unknown>)(command, options);
      };
    },
  });
  const keys: string[] = [];
  for await (const page of pages(recording)) keys.push(...page.map((ref) => ref.key));
  return { keys, requests };
}

const accountsOnly = (...accounts: string[]) => {
  const filter = { accounts: new Set(accounts) };
  return (segment: string) => keyMayMatch(parseKey(segment), filter);
};

describe('listPartitions', () => {
  it('lists exactly what a flat listing does when every partition is kept, each key once', async () => {
    const flat = await run((client) => listObjects(client, BUCKET, ''));
    expect(flat.keys).toEqual(KEYS);
    // Page by page (continuation tokens), still every key once, in key order.
    const paged = await run((client) => listObjects(client, BUCKET, '', undefined, 4));
    expect(paged.keys).toEqual(KEYS);
    expect(paged.requests.length).toBe(Math.ceil(KEYS.length / 4));
    for (const pageSize of [undefined, 1, 2, 3]) {
      const skipped: string[] = [];
      const walked = await run((client) =>
        listPartitions(client, BUCKET, '', {
          keep: () => true,
          onSkip: (p) => skipped.push(p),
          ...(pageSize === undefined ? {} : { pageSize }),
        }),
      );
      expect(walked.keys.sort()).toEqual(KEYS);
      expect(new Set(walked.keys).size).toBe(walked.keys.length);
      expect(skipped).toEqual([]);
    }
  });

  it('leaves out the accounts not selected without a single request under them', async () => {
    const skipped: string[] = [];
    const { keys, requests } = await run((client) =>
      listPartitions(client, BUCKET, 'archive/', {
        keep: accountsOnly(A),
        onSkip: (p) => skipped.push(p),
        pageSize: 2,
      }),
    );
    expect(keys.sort()).toEqual(
      KEYS.filter(
        (k) => k.startsWith('archive/') && !k.includes(`account=${B}`) && !k.includes(`account=${C}`),
      ),
    );
    expect(skipped.sort()).toEqual([`archive/account=${B}/`, `archive/account=${C}/`]);
    for (const request of requests) {
      expect(request.Prefix ?? '').not.toContain(`account=${B}`);
      expect(request.Prefix ?? '').not.toContain(`account=${C}`);
    }
    // Below the selected dataset level the days are listed flat: one request per dataset.
    const flatBelowDataset = requests.filter((r) => r.Delimiter === undefined);
    expect(flatBelowDataset.map((r) => r.Prefix).sort()).toEqual([
      `archive/account=${A}/dataset=aws.cloudtrail/2024/`,
      `archive/account=${A}/dataset=aws.vpcflow/2024/`,
    ]);
  });

  it('prunes datasets too, and finds the partitions below the bucket root', async () => {
    const filter = { datasets: new Set(['aws.cloudtrail' as const]) };
    const { keys } = await run((client) =>
      listPartitions(client, BUCKET, '', { keep: (segment) => keyMayMatch(parseKey(segment), filter) }),
    );
    expect(keys.sort()).toEqual(KEYS.filter((k) => !k.includes('dataset=aws.vpcflow')));
  });

  it('lists a prefix that cuts a segment in two without pruning, so nothing under it is lost', async () => {
    const { keys } = await run((client) =>
      listPartitions(client, BUCKET, `archive/account=${B.slice(0, 6)}`, { keep: accountsOnly(A) }),
    );
    expect(keys.sort()).toEqual(KEYS.filter((k) => k.startsWith(`archive/account=${B.slice(0, 6)}`)));
    expect(keys.length).toBeGreaterThan(0);
  });

  it('stops descending non-partition levels at maxDepth and lists the rest flat', async () => {
    const { keys, requests } = await run((client) =>
      listPartitions(client, BUCKET, '', { keep: accountsOnly(A), maxDepth: 0 }),
    );
    // At depth 0 nothing but the root is walked: archive/ is listed flat, every account in it.
    expect(keys.sort()).toEqual(KEYS);
    expect(requests.filter((r) => r.Delimiter === '/').map((r) => r.Prefix)).toEqual([undefined]);
  });
});
