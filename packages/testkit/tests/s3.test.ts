import { gunzipSync, gzipSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3, type S3Server } from '../src/index.ts';

describe('startS3', () => {
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3({ buckets: ['preconfigured'] });
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('round-trips a gzip NDJSON object through the SDK client', async () => {
    await s3.createBucket('archive');
    const ndjson = '{"message":"one"}\n{"message":"two"}\n';
    const key = 'vpcflow/2026/01/02/part-0001.ndjson.gz';
    await s3.client.send(
      new PutObjectCommand({
        Bucket: 'archive',
        Key: key,
        Body: gzipSync(ndjson),
        ContentType: 'application/x-ndjson',
        ContentEncoding: 'gzip',
      }),
    );

    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: 'archive', Prefix: 'vpcflow/' }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual([key]);

    const object = await s3.client.send(new GetObjectCommand({ Bucket: 'archive', Key: key }));
    expect(object.ContentEncoding).toBe('gzip');
    const bytes = await object.Body?.transformToByteArray();
    expect(gunzipSync(bytes ?? new Uint8Array()).toString()).toBe(ndjson);
  });

  it('serves buckets created at start to a client built from clientConfig', async () => {
    const client = new S3Client(s3.clientConfig);
    try {
      await client.send(new PutObjectCommand({ Bucket: 'preconfigured', Key: 'a.txt', Body: 'a' }));
      const listed = await client.send(new ListObjectsV2Command({ Bucket: 'preconfigured' }));
      expect(listed.KeyCount).toBe(1);
    } finally {
      client.destroy();
    }
  });

  it('stops: the endpoint refuses connections and the data dir is gone', async () => {
    const other = await startS3();
    await other.stop();
    await expect(fetch(other.endpoint)).rejects.toThrow();
    expect(existsSync(other.directory)).toBe(false);
    await other.stop(); // idempotent
  });
});
