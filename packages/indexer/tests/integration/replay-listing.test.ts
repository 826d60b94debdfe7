// The partition-aware listing against a real S3 API (s3rver): which keys it lists, and which
// ListObjectsV2 requests it makes, for the archive layout our Firehose writes and for others.
import {
  CreateBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type ListObjectsV2CommandInput,
} from '@aws-sdk/client-s3';
import { startS3, type S3Server } from '@central-logging/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  daysMayMatch,
  keyMayMatch,
  parseKey,
  parseTime,
  type ReplayFilter,
} from '../../src/replay/filter.ts';
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

  it('never prunes a dataset folder, and finds the partitions below the bucket root', async () => {
    // A dataset= folder names each payload's first document only: the others may be of any dataset.
    const filter = { accounts: new Set([A]), datasets: new Set(['aws.cloudtrail' as const]) };
    const skipped: string[] = [];
    const { keys } = await run((client) =>
      listPartitions(client, BUCKET, '', {
        keep: (segment) => keyMayMatch(parseKey(segment), filter),
        onSkip: (p) => skipped.push(p),
      }),
    );
    expect(keys.sort()).toEqual(
      KEYS.filter((k) => !k.includes(`account=${B}`) && !k.includes(`account=${C}`)),
    );
    expect(keys.filter((k) => k.includes('dataset=aws.vpcflow'))).toHaveLength(2);
    expect(skipped.sort()).toEqual([`archive/account=${B}/`, `archive/account=${C}/`]);
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

describe('listPartitions with keepDays', () => {
  const DATED_BUCKET = 'listing-dated';
  const vpc = `archive/account=${A}/dataset=aws.vpcflow`;
  const DATED = [
    `${vpc}/2023/12/31/a.gz`,
    `${vpc}/2024/01/01/a.gz`,
    `${vpc}/2024/01/02/a.gz`,
    `${vpc}/2024/01/02/b.gz`,
    `${vpc}/2024/02/15/a.gz`,
    `${vpc}/2024/05/01/a.gz`,
    `${vpc}/2025/01/01/a.gz`,
    // Keys beside the date levels, and levels that look like dates but are not: listed, never lost.
    `${vpc}/2024/at-year-level.gz`,
    `${vpc}/2024/01/at-month-level.gz`,
    `${vpc}/2024/13/01/a.gz`,
    `${vpc}/2024/02/30/a.gz`,
    `${vpc}/2024/01/x1/a.gz`,
    // Arrival days: the error prefix (with its hour level) and the dead letters.
    'errors/processing-failed/2023/12/30/13/a.gz',
    'errors/processing-failed/2024/01/02/10/a.gz',
    'errors/processing-failed/2024/06/01/10/a.gz',
    'dead-letter/indexer/2024/01/01/a.gz',
  ].sort();

  beforeAll(async () => {
    await s3.client.send(new CreateBucketCommand({ Bucket: DATED_BUCKET }));
    for (const key of DATED) {
      await s3.client.send(new PutObjectCommand({ Bucket: DATED_BUCKET, Key: key, Body: key }));
    }
  });

  const walk = (filter: ReplayFilter, prefix = '', pageSize?: number) =>
    run((client) =>
      listPartitions(client, DATED_BUCKET, prefix, {
        keep: (segment) => keyMayMatch(parseKey(segment), filter),
        keepDays: (first, last, kind) => daysMayMatch(first, last, kind, filter),
        ...(pageSize === undefined ? {} : { pageSize }),
      }),
    );

  it('lists one day of the archive, the undated keys beside it, and nothing of the other years and months', async () => {
    const filter = { since: parseTime('2024-01-02', '--since'), until: parseTime('2024-01-03', '--until') };
    const { keys, requests } = await walk(filter);
    expect(keys.sort()).toEqual(
      [
        // The day itself and, within the one-day margin, the day before (a payload's events
        // may begin the day before its first document's partition day… and the day after).
        `${vpc}/2024/01/01/a.gz`,
        `${vpc}/2024/01/02/a.gz`,
        `${vpc}/2024/01/02/b.gz`,
        `${vpc}/2024/at-year-level.gz`,
        `${vpc}/2024/01/at-month-level.gz`,
        `${vpc}/2024/13/01/a.gz`,
        `${vpc}/2024/01/x1/a.gz`,
        // Arrival days only bound the start: late events may arrive any day after.
        'errors/processing-failed/2024/01/02/10/a.gz',
        'errors/processing-failed/2024/06/01/10/a.gz',
        'dead-letter/indexer/2024/01/01/a.gz',
      ].sort(),
    );
    const prefixes = requests.map((r) => r.Prefix ?? '');
    for (const pruned of [`${vpc}/2023/`, `${vpc}/2025/`, `${vpc}/2024/02/`, `${vpc}/2024/05/`]) {
      expect(prefixes.filter((p) => p.startsWith(pruned))).toEqual([]);
    }
    expect(prefixes.filter((p) => p.startsWith('errors/processing-failed/2023/'))).toEqual([]);
  });

  it('never leaves out a key the per-key filter would read, at any page size and range', async () => {
    const flat = await run((client) => listObjects(client, DATED_BUCKET, ''));
    const ranges: ReplayFilter[] = [
      {},
      { since: parseTime('2024-01-01T12:00:00Z', '--since') },
      { until: parseTime('2024-01-01', '--until') },
      { since: parseTime('2023-12-31', '--since'), until: parseTime('2024-02-16', '--until') },
      { since: parseTime('2024-05-02', '--since'), until: parseTime('2024-12-31', '--until') },
      { since: parseTime('2026-01-01', '--since') },
    ];
    for (const filter of ranges) {
      const wanted = flat.keys.filter((key) => keyMayMatch(parseKey(key), filter));
      for (const pageSize of [undefined, 1, 2]) {
        const { keys } = await walk(filter, '', pageSize);
        expect(new Set(keys).size).toBe(keys.length);
        expect(keys.filter((key) => keyMayMatch(parseKey(key), filter)).sort()).toEqual(wanted);
      }
    }
  });

  it('knows a prefix inside a partition: its days are partition days, bounded by --until too', async () => {
    const filter = { until: parseTime('2024-01-01', '--until') };
    const { keys } = await walk(filter, `${vpc}/`);
    expect(keys.sort()).toEqual(
      [
        `${vpc}/2023/12/31/a.gz`,
        `${vpc}/2024/01/01/a.gz`,
        `${vpc}/2024/at-year-level.gz`,
        `${vpc}/2024/01/at-month-level.gz`,
        `${vpc}/2024/13/01/a.gz`,
        `${vpc}/2024/01/x1/a.gz`,
      ].sort(),
    );
  });
});
