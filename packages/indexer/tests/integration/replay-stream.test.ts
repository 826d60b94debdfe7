// Streamed reads of large archive objects against a real S3 API (s3rver): gzip (many members),
// zlib and plain objects read a line at a time in chunks, with bad lines, an overlong line, a
// truncated or corrupt object, and the indexer's dead-letter objects.
import { deflateSync, gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createDecoder } from '@central-logging/decoder';
import type { LogDocument } from '@central-logging/log-schema';
import { startS3, type S3Server } from '@central-logging/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectRef } from '../../src/replay/listing.ts';
import { readObjectChunks, type ChunkedRead } from '../../src/replay/read-stream.ts';
import type { ReadResult } from '../../src/replay/read.ts';

const BUCKET = 'stream-archive';
const decoder = createDecoder();
let s3: S3Server;

// 23 real documents: default-format flow log lines through the decoder.
const DOCUMENTS: LogDocument[] = (() => {
  const result = decoder.decodeMessage({
    messageType: 'DATA_MESSAGE',
    owner: '111122223333',
    logGroup: '/vpc/flow-logs',
    logStream: 'eni-1',
    subscriptionFilters: ['central-logging'],
    logEvents: Array.from({ length: 23 }, (_, i) => ({
      id: String(38_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n + BigInt(i)),
      timestamp: 1_700_000_000_000 + i,
      message: `2 111122223333 eni-0a1b2c3d 10.0.0.${i} 10.0.1.9 4${i}000 443 6 10 ${840 + i} 1700000000 1700000060 ACCEPT OK`,
    })),
  });
  if (result.kind !== 'data') throw new Error('fixture did not decode');
  return result.documents;
})();
const LINES = DOCUMENTS.map((d) => JSON.stringify(d));

const read = (overrides: Partial<ChunkedRead> = {}): ChunkedRead => ({
  streamAboveBytes: 0,
  chunkDocuments: 5,
  maxLineBytes: 1024 * 1024,
  maxObjectBytes: 256 * 1024 * 1024,
  ...overrides,
});

async function put(key: string, body: Uint8Array): Promise<ObjectRef> {
  await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  return { key, size: body.byteLength, etag: '' };
}

async function chunksOf(ref: ObjectRef, options: ChunkedRead): Promise<ReadResult[]> {
  const chunks: ReadResult[] = [];
  for await (const chunk of readObjectChunks(s3.client, BUCKET, ref, decoder, options)) chunks.push(chunk);
  return chunks;
}

const documentsOf = (chunks: ReadResult[]) =>
  chunks.flatMap((c) => c.decoded.documents.map((d) => d.document.event.id));
const errorsOf = (chunks: ReadResult[]) =>
  chunks.flatMap((c) => c.decoded.errors.map((e) => `${e.label} ${e.error.reason}`));

beforeAll(async () => {
  s3 = await startS3({ buckets: [BUCKET] });
});

afterAll(async () => {
  await s3?.stop();
});

describe('readObjectChunks', () => {
  it('reads a multi-member gzip object in chunks of documents, in order, every stored byte counted', async () => {
    // One member per 4 lines, as Firehose concatenates one member per record.
    const members: Buffer[] = [];
    for (let i = 0; i < LINES.length; i += 4) members.push(gzipSync(LINES.slice(i, i + 4).join('\n') + '\n'));
    const ref = await put('archive/multi.json.gz', Buffer.concat(members));
    const chunks = await chunksOf(ref, read());
    expect(documentsOf(chunks)).toEqual(DOCUMENTS.map((d) => d.event.id));
    expect(chunks.map((c) => c.decoded.documents.length)).toEqual([5, 5, 5, 5, 3]);
    expect(chunks.flatMap((c) => c.decoded.documents.map((d) => d.label))).toEqual(
      LINES.map((_, i) => `line ${i + 1}`),
    );
    expect(chunks.reduce((n, c) => n + c.bytes, 0)).toBe(ref.size);
    expect(new Set(chunks.map((c) => c.etag)).size).toBe(1);
    expect(chunks[0]?.etag).toMatch(/^[0-9a-f]{32}$/);
  });

  it('reads zlib and plain objects alike', async () => {
    const text = LINES.join('\n') + '\n';
    for (const [key, body] of [
      ['archive/zlib.json.z', deflateSync(text)],
      ['archive/plain.json', Buffer.from(text)],
    ] as const) {
      const chunks = await chunksOf(await put(key, body), read({ chunkDocuments: 10 }));
      expect(documentsOf(chunks)).toEqual(DOCUMENTS.map((d) => d.event.id));
      expect(errorsOf(chunks)).toEqual([]);
    }
  });

  it('keeps each bad line as a unit with its reason and data, and skips an overlong line unheld', async () => {
    const overlong = `{"message":"${'x'.repeat(3000)}"}`;
    // Line 5 is the bytes C3 28: an invalid UTF-8 sequence.
    const body = gzipSync(
      Buffer.concat([
        Buffer.from([LINES[0], 'not json', '', overlong, ''].join('\n')),
        Buffer.from([0xc3, 0x28, 0x0a]),
        Buffer.from(LINES[1] ?? ''),
      ]),
    );
    const chunks = await chunksOf(await put('archive/bad.json.gz', body), read({ maxLineBytes: 2048 }));
    expect(documentsOf(chunks)).toEqual([DOCUMENTS[0]?.event.id, DOCUMENTS[1]?.event.id]);
    expect(chunks.flatMap((c) => c.decoded.documents.map((d) => d.label))).toEqual(['line 1', 'line 6']);
    expect(errorsOf(chunks)).toEqual(['line 2 invalid_json', 'line 4 too_large', 'line 5 invalid_utf8']);
    const errors = chunks.flatMap((c) => c.decoded.errors);
    expect(Buffer.from(errors[0]?.data ?? '', 'base64').toString()).toBe('not json');
    expect(errors[1]?.data).toBeUndefined();
  });

  it('ends a truncated or corrupt object with one unit error after the documents before the damage', async () => {
    const whole = gzipSync(LINES.join('\n') + '\n');
    const truncated = await chunksOf(
      await put('archive/truncated.json.gz', whole.subarray(0, whole.byteLength - 20)),
      read(),
    );
    expect(errorsOf(truncated)).toEqual(['object truncated']);
    expect(documentsOf(truncated).length).toBeLessThan(DOCUMENTS.length);
    expect(documentsOf(truncated)).toEqual(
      DOCUMENTS.slice(0, documentsOf(truncated).length).map((d) => d.event.id),
    );

    const corrupt = Buffer.from(whole);
    corrupt.fill(0xff, 40, 80);
    const broken = await chunksOf(await put('archive/corrupt.json.gz', corrupt), read());
    expect(errorsOf(broken)).toEqual(['object corrupt_compressed_data']);
  });

  it("streams the indexer's dead-letter objects as dead letters", async () => {
    const letters = DOCUMENTS.slice(0, 7).map((document) =>
      JSON.stringify({
        reason: 'cluster unavailable',
        type: 'es_rejected_execution_exception',
        source: { shard: 'shardId-000', sequence: '1' },
        document,
        at: '2024-05-01T00:00:00.000Z',
      }),
    );
    const chunks = await chunksOf(
      await put('dead-letter/indexer/2024/05/01/letters.json.gz', gzipSync(letters.join('\n') + '\n')),
      read({ chunkDocuments: 3 }),
    );
    expect(chunks.map((c) => c.decoded.format)).toEqual(['dead-letter', 'dead-letter', 'dead-letter']);
    expect(documentsOf(chunks)).toEqual(DOCUMENTS.slice(0, 7).map((d) => d.event.id));
  });

  it('reads an object at or under streamAboveBytes whole, in one chunk', async () => {
    const ref = await put('archive/small.json.gz', gzipSync(LINES.join('\n') + '\n'));
    const chunks = await chunksOf(ref, read({ streamAboveBytes: ref.size, chunkDocuments: 2 }));
    expect(chunks).toHaveLength(1);
    expect(documentsOf(chunks)).toEqual(DOCUMENTS.map((d) => d.event.id));
    expect(chunks[0]?.bytes).toBe(ref.size);
  });
});
