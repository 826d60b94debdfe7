import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import type { LogDocument } from '@central-logging/log-schema';
import {
  createDecoder,
  transformFirehoseEvent,
  type Decoder,
  type FirehoseTransformationResponse,
} from '../../src/index.ts';
import { controlMessage, dataMessage, encodePayload, firehoseEvent } from '../support/payloads.ts';

const decoder = createDecoder();
const flow = (i: number) =>
  `2 123456789010 eni-1235b8ca123456789 10.0.${i % 250}.1 10.1.0.${i % 250} ${1024 + (i % 50000)} 443 6 10 ${840 + i} 1700000000 1700000060 ACCEPT OK`;

/** The documents of one `Ok` record, whether its data is a gzip member or plain NDJSON. */
function documentsOf(data: string): LogDocument[] {
  const bytes = Buffer.from(data, 'base64');
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes)
    .toString('utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as LogDocument);
}

describe('transformFirehoseEvent', () => {
  it('returns exactly one output per recordId: Ok, Dropped or ProcessingFailed', () => {
    const event = firehoseEvent([
      encodePayload(dataMessage('/vpc/flow-logs', [flow(1), flow(2)])),
      encodePayload(controlMessage()),
      'definitely not base64!',
      encodePayload(
        dataMessage('/aws/lambda/orders', ['START RequestId: 1 Version: $LATEST'], { owner: '222233334444' }),
      ),
    ]);
    const { response, summary } = transformFirehoseEvent(event, decoder);
    expect(response.records.map((r) => [r.recordId, r.result])).toEqual([
      ['record-0', 'Ok'],
      ['record-1', 'Dropped'],
      ['record-2', 'ProcessingFailed'],
      ['record-3', 'Ok'],
    ]);
    expect(summary).toMatchObject({
      records: 4,
      ok: 2,
      dropped: 1,
      failed: 1,
      controlMessages: 1,
      events: 3,
      documents: 3,
    });
    expect(summary.failures).toEqual([
      { recordId: 'record-2', reason: 'invalid_base64', message: expect.any(String) },
    ]);
    // The failed record goes back unchanged, so Firehose's error prefix keeps the original.
    expect(response.records[2]?.data).toBe('definitely not base64!');
  });

  it('writes NDJSON documents and partition keys account/dataset/date', () => {
    const event = firehoseEvent([encodePayload(dataMessage('/vpc/flow-logs', [flow(1), flow(2)]))]);
    const [out] = transformFirehoseEvent(event, decoder, { compression: 'none' }).response.records;
    const text = Buffer.from(out?.data ?? '', 'base64').toString('utf8');
    expect(text.endsWith('\n')).toBe(true);
    const documents = documentsOf(out?.data ?? '');
    expect(documents.map((d) => d.source?.ip)).toEqual(['10.0.1.1', '10.0.2.1']);
    expect(out?.metadata?.partitionKeys).toEqual({
      account: '111122223333',
      dataset: 'aws.vpcflow',
      date: '2023/11/14',
    });
  });

  it('puts only a 12-digit account id into the account partition key (it becomes an S3 prefix)', () => {
    const owners = ['444455556666', '../../other-prefix', 'CloudwatchLogs', '4444555566667'];
    const payloads = owners.map((owner) =>
      encodePayload(dataMessage('/vpc/flow-logs', [flow(1)], { owner })),
    );
    const { response } = transformFirehoseEvent(firehoseEvent(payloads), decoder);
    expect(response.records.map((r) => r.metadata?.partitionKeys.account)).toEqual([
      '444455556666',
      'unknown',
      'unknown',
      'unknown',
    ]);
  });

  it('drops a record whose events are all flow-log headers (nothing to deliver, deliberately)', () => {
    const header =
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
    const { response, summary } = transformFirehoseEvent(
      firehoseEvent([encodePayload(dataMessage('/vpc/flow-logs', [header]))]),
      decoder,
    );
    expect(response.records[0]?.result).toBe('Dropped');
    expect(summary.dropped).toBe(1);
  });

  it('gzips each record as one member: concatenated as Firehose does, they are one valid gzip file', () => {
    const payloads = [flow(1), flow(2), flow(3)].map((line) =>
      encodePayload(dataMessage('/vpc/flow-logs', [line])),
    );
    const { response } = transformFirehoseEvent(firehoseEvent(payloads), decoder);
    const object = Buffer.concat(response.records.map((r) => Buffer.from(r.data, 'base64')));
    const lines = gunzipSync(object).toString('utf8').split('\n').filter(Boolean);
    expect(lines.map((line) => (JSON.parse(line) as LogDocument).source?.ip)).toEqual([
      '10.0.1.1',
      '10.0.2.1',
      '10.0.3.1',
    ]);
  });

  // 20 records of 2,000 flow lines each decode to ~20 MB of NDJSON; the limit is 6 MB.
  const bigBatch = () =>
    Array.from({ length: 20 }, (_, r) =>
      encodePayload(
        dataMessage(
          '/vpc/flow-logs',
          Array.from({ length: 2000 }, (_, i) => flow(r * 2000 + i)),
        ),
      ),
    );

  it('fits a batch whose plain NDJSON is over 3× the limit when gzipped', () => {
    const { response, summary } = transformFirehoseEvent(firehoseEvent(bigBatch()), decoder);
    expect(summary).toMatchObject({ ok: 20, failed: 0, documents: 40_000 });
    expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThan(6 * 1024 * 1024);
  });

  it('never exceeds the response limit: records that do not fit go to the error prefix whole', () => {
    const payloads = bigBatch();
    const limit = 6 * 1024 * 1024 - 64 * 1024;
    const { response, summary } = transformFirehoseEvent(firehoseEvent(payloads), decoder, {
      limitBytes: limit,
      compression: 'none',
    });
    const size = Buffer.byteLength(JSON.stringify(response));
    expect(size).toBeLessThanOrEqual(limit);
    expect(summary.ok).toBeGreaterThan(0);
    expect(summary.failed).toBeGreaterThan(0);
    expect(summary.ok + summary.failed).toBe(20);
    // Nothing lost: every record is delivered or returned with its original bytes.
    response.records.forEach((record, i) => {
      if (record.result === 'ProcessingFailed') expect(record.data).toBe(payloads[i]);
      else expect(documentsOf(record.data)).toHaveLength(2000);
    });
    expect(summary.failures.every((f) => f.reason === 'response_too_large')).toBe(true);
  });

  it('keeps a record Ok when one of its messages nests thousands of levels deep', () => {
    // JSON.stringify of the document recursed once per level and overflowed the stack.
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const trail = `{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"PutObject","eventTime":"2024-01-01T00:00:00Z","requestParameters":{"x":${deep}}}`;
    const event = firehoseEvent([
      encodePayload(dataMessage('/app/anything', [trail, 'next'])),
      encodePayload(dataMessage('/vpc/flow-logs', [flow(1)])),
    ]);
    const { response } = transformFirehoseEvent(event, decoder);
    expect(response.records.map((r) => r.result)).toEqual(['Ok', 'Ok']);
    const documents = documentsOf(response.records[0]?.data ?? '');
    expect(documents.map((d) => [d.message, d.tags])).toEqual([
      [trail, ['parse_failure']],
      ['next', undefined],
    ]);
  });

  it('writes a document that cannot be serialized as its text, tagged parse_failure', () => {
    const result = decoder.decodeData(encodePayload(dataMessage('/app/x', ['first', 'second'])));
    if (result.kind !== 'data') throw new Error(result.kind);
    // No decoder output is like this; the transformation must survive one anyway.
    Object.assign(result.documents[0] as object, { size: 1n });
    const stub: Decoder = { ...decoder, decodeData: () => result };
    const { response } = transformFirehoseEvent(firehoseEvent(['x']), stub);
    expect(response.records.map((r) => r.result)).toEqual(['Ok']);
    const [broken, intact] = documentsOf(response.records[0]?.data ?? '');
    expect(broken).toMatchObject({
      message: 'first',
      tags: ['parse_failure'],
      event: { id: result.documents[0]?.event.id, dataset: 'aws.cloudwatch_logs', original: 'first' },
      error: { message: expect.stringContaining('BigInt') },
    });
    expect(intact?.message).toBe('second');
  });

  it('sends a single record too large for any response to the error prefix, with its reason', () => {
    // Incompressible messages: one record whose documents alone exceed the limit.
    const messages = Array.from({ length: 60 }, () => randomBytes(60_000).toString('base64'));
    const payload = gzipSync(JSON.stringify(dataMessage('/app/blobs', messages))).toString('base64');
    const { response, summary } = transformFirehoseEvent(
      firehoseEvent([payload, encodePayload(dataMessage('/app/x', ['small']))]),
      decoder,
    );
    expect(response.records.map((r) => r.result)).toEqual(['ProcessingFailed', 'Ok']);
    expect(summary.failures[0]?.reason).toBe('response_too_large');
    expect(response.records[0]?.data).toBe(payload);
  });
});

describe('the built Lambda bundle', () => {
  const bundle = new URL('../../dist/lambda/firehose/index.mjs', import.meta.url);

  it('exists (nx test depends on build), works, and logs each failed record’s reason once per batch', async () => {
    expect(existsSync(bundle), 'run `pnpm nx build @central-logging/decoder` first').toBe(true);
    const { handler } = (await import(bundle.href)) as {
      handler: (e: unknown) => Promise<FirehoseTransformationResponse>;
    };
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const event = firehoseEvent([encodePayload(dataMessage('/vpc/flow-logs', [flow(7)])), 'bad']);
      const response = await handler(event);
      expect(response.records.map((r) => r.result)).toEqual(['Ok', 'ProcessingFailed']);
      expect(documentsOf(response.records[0]?.data ?? '')[0]?.destination?.port).toBe(443);
    } finally {
      write.mockRestore();
    }
    expect(lines).toHaveLength(1);
    const log = JSON.parse(lines[0] ?? '{}') as {
      level: string;
      failed: number;
      failures: Array<{ recordId: string; reason: string }>;
    };
    expect(log).toMatchObject({
      level: 'WARN',
      failed: 1,
      failures: [{ recordId: 'record-1', reason: 'invalid_base64' }],
    });
  });

  it('does not throw on a message nested 8,000 levels deep', async () => {
    const { handler } = (await import(bundle.href)) as {
      handler: (e: unknown) => Promise<FirehoseTransformationResponse>;
    };
    const deep = '['.repeat(8000) + ']'.repeat(8000);
    const trail = `{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"PutObject","eventTime":"2024-01-01T00:00:00Z","recipientAccountId":"111122223333","requestParameters":{"x":${deep}}}`;
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const event = firehoseEvent([
        encodePayload(dataMessage('/aws/lambda/orders', ['START RequestId: 1 Version: $LATEST'])),
        encodePayload(dataMessage('/app/anything', [trail])),
      ]);
      const response = await handler(event);
      expect(response.records.map((r) => r.result)).toEqual(['Ok', 'Ok']);
      expect(documentsOf(response.records[1]?.data ?? '')[0]?.tags).toEqual(['parse_failure']);
    } finally {
      write.mockRestore();
    }
  });
});
