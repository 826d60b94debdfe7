// The built Lambda bundle (what central-infra deploys), configured only through its environment,
// against the real OpenSearch node and a real S3-API server for dead letters.
import { existsSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { KinesisStreamEvent } from '@central-logging/decoder';
import { startS3, type S3Server } from '@central-logging/testkit';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { KinesisBatchResponse } from '../../src/kinesis.ts';
import { clusterClient, countDocuments, freshPrefix, present } from '../support/cluster.ts';
import { kinesisRecords } from '../support/stream.ts';

const PREFIX = 'it-handler';
const BUCKET = 'dead-letters';
const bundle = new URL('../../dist/lambda/indexer/index.mjs', import.meta.url);
const client = clusterClient();
let s3: S3Server;

type Handler = (
  event: KinesisStreamEvent,
  context: { getRemainingTimeInMillis(): number; awsRequestId: string },
) => Promise<KinesisBatchResponse>;

const savedEnv = { ...process.env };

/** What central-infra sets: the local node, and dead letters to s3rver. */
function environment(): Record<string, string> {
  const url = new URL(inject('opensearchUrl'));
  return {
    OPENSEARCH_URL: url.toString(),
    OPENSEARCH_AUTH: url.username ? 'basic' : 'none',
    OPENSEARCH_GZIP: 'true',
    INDEX_PREFIX: PREFIX,
    DEAD_LETTER_BUCKET: BUCKET,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    // The SDK's own per-service endpoint variable; an IP endpoint makes it address path-style.
    AWS_ENDPOINT_URL_S3: s3.endpoint,
  };
}

/** What the handler writes to stdout during `run`, one parsed JSON object per line. */
async function loggedDuring<T>(
  run: () => Promise<T>,
): Promise<{ result: T; logged: Record<string, unknown>[] }> {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  let result: T;
  try {
    result = await run();
  } finally {
    write.mockRestore();
  }
  const logged = lines
    .join('')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { result, logged };
}

/**
 * Imports a fresh copy of the bundle in `env` (module scope reads it once, like a cold start; the
 * SDK reads some of it later, so it stays set until the file ends, as in a Lambda sandbox).
 */
async function coldStart(env: Record<string, string>): Promise<Handler> {
  process.env = { ...savedEnv, ...env };
  const module = (await import(`${bundle.href}?${Math.random()}`)) as { handler: Handler };
  return module.handler;
}

beforeAll(async () => {
  await freshPrefix(client, PREFIX);
  s3 = await startS3({ buckets: [BUCKET] });
});
afterAll(async () => {
  process.env = savedEnv;
  await s3?.stop();
  await client.close();
});

describe('the built indexer bundle', () => {
  it('exists (nx test depends on build), indexes a batch, dead-letters to S3 and logs one EMF line', async () => {
    expect(existsSync(bundle), 'run `pnpm nx build @central-logging/indexer` first').toBe(true);
    const handler = await coldStart({ ...environment(), METRICS_BY_ACCOUNT: 'true' });
    const records = kinesisRecords(1_000, 250, 31);
    // What the per-account metric must count: log events per CloudWatch Logs owner.
    const expectedByAccount: Record<string, number> = {};
    for (const record of records) {
      const payload = JSON.parse(gunzipSync(Buffer.from(record.kinesis.data, 'base64')).toString()) as {
        owner: string;
        logEvents: unknown[];
      };
      expectedByAccount[payload.owner] = (expectedByAccount[payload.owner] ?? 0) + payload.logEvents.length;
    }
    const bad = present(records[0], 'a record');
    records.push({
      ...bad,
      kinesis: { ...bad.kinesis, data: gzipSync('not json').toString('base64'), sequenceNumber: '49699' },
    });

    const { result: response, logged } = await loggedDuring(() =>
      handler({ Records: records }, { getRemainingTimeInMillis: () => 60_000, awsRequestId: 'req-1' }),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(await countDocuments(client, PREFIX)).toBe(1_000);

    const emf = logged.find((l) => '_aws' in l && !('Account' in l));
    expect(emf).toMatchObject({
      Service: 'indexer',
      requestId: 'req-1',
      records: 5,
      documents: 1_000,
      indexed: 1_000,
      decodeErrors: 1,
      failedRecords: 0,
    });
    const byAccount = Object.fromEntries(
      logged.filter((l) => 'Account' in l).map((l) => [l['Account'], l['AccountEvents']]),
    );
    expect(byAccount).toEqual(expectedByAccount);
    expect(Object.keys(byAccount).length).toBeGreaterThan(0);
    const listed = await s3.client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'dead-letter/indexer/' }),
    );
    expect(listed.KeyCount).toBe(1);
  });

  it('returns every record, with an error naming TIME_RESERVE_MS, when the function timeout leaves no time', async () => {
    // The default reserve of 10 s with a function timeout of 10 s.
    const handler = await coldStart(environment());
    const records = kinesisRecords(20, 10, 32);
    const before = await countDocuments(client, PREFIX);
    const { result: response, logged } = await loggedDuring(() =>
      handler({ Records: records }, { getRemainingTimeInMillis: () => 9_990, awsRequestId: 'req-2' }),
    );
    expect(response.batchItemFailures).toEqual(
      records.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })),
    );
    const errors = logged.filter((l) => l['level'] === 'ERROR');
    expect(errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/function timeout must exceed TIME_RESERVE_MS/),
        remainingMs: 9_990,
        timeReserveMs: 10_000,
        records: 2,
      }),
    ]);
    expect(await countDocuments(client, PREFIX)).toBe(before);
  });

  it('refuses to start without its configuration, naming what is missing', async () => {
    await expect(coldStart({ OPENSEARCH_URL: '', DEAD_LETTER_BUCKET: '' })).rejects.toThrow(
      /OPENSEARCH_URL is required/,
    );
  });
});
