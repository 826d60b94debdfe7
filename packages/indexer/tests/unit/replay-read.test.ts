import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createDecoder, type DataMessage } from '@central-logging/decoder';
import type { LogDocument } from '@central-logging/log-schema';
import { deadLetterBody, type DeadLetter } from '../../src/dead-letter.ts';
import { decodeObject } from '../../src/replay/read.ts';

const decoder = createDecoder();
const MiB = 1024 * 1024;

let nextId = 37199717562907174288355125807040114704837640994600000000n;
function message(logGroup: string, lines: readonly string[]): DataMessage {
  return {
    messageType: 'DATA_MESSAGE',
    owner: '111122223333',
    logGroup,
    logStream: 'stream-1',
    subscriptionFilters: ['central-logging'],
    logEvents: lines.map((line, i) => ({
      id: String(nextId++),
      timestamp: 1_700_000_000_000 + i,
      message: line,
    })),
  };
}
const payload = (m: unknown): string => gzipSync(JSON.stringify(m)).toString('base64');
const flow = (n: number) =>
  `2 111122223333 eni-0a1b2c3d4e5f60718 10.0.0.${n} 10.0.1.1 443 5${n}000 6 10 840 1700000000 1700000060 ACCEPT OK`;
const documentsOf = (m: DataMessage): LogDocument[] => decoder.decodeEvents(m).documents;
const ndjson = (documents: readonly LogDocument[]): string =>
  documents.map((d) => JSON.stringify(d) + '\n').join('');
const errorRecord = (rawData: string) =>
  JSON.stringify({
    attemptsMade: 1,
    arrivalTimestamp: 1_700_000_000_000,
    errorCode: 'Lambda.ProcessingFailedStatus',
    errorMessage: 'response_too_large',
    attemptEndingTimestamp: 1_700_000_001_000,
    rawData,
    lambdaArn: 'arn:aws:lambda:eu-west-1:999988887777:function:decoder:$LATEST',
  });

describe('decodeObject', () => {
  it('reads a Firehose archive object of concatenated gzip members, in order', () => {
    const a = documentsOf(message('/vpc/flow-logs', [flow(1), flow(2)]));
    const b = documentsOf(message('/vpc/flow-logs', [flow(3)]));
    const object = Buffer.concat([gzipSync(ndjson(a)), gzipSync(ndjson(b))]);
    const decoded = decodeObject(object, decoder, MiB);
    expect(decoded.format).toBe('archive');
    expect(decoded.errors).toEqual([]);
    expect(decoded.documents.map((d) => d.document.event.id)).toEqual([...a, ...b].map((d) => d.event.id));
    expect(decoded.documents.map((d) => d.label)).toEqual(['line 1', 'line 2', 'line 3']);
  });

  it('re-decodes error-prefix records and keeps bad lines with their bytes', () => {
    const good = message('/vpc/flow-logs', [flow(4), flow(5)]);
    const control = {
      ...message('', ['CWL CONTROL MESSAGE']),
      messageType: 'CONTROL_MESSAGE',
      owner: 'CloudwatchLogs',
    };
    const corrupt = errorRecord(Buffer.from('not gzip at all').toString('base64'));
    const text =
      [errorRecord(payload(good)), errorRecord(payload(control)), corrupt, '{"half a line'].join('\n') + '\n';
    const decoded = decodeObject(Buffer.from(text), decoder, MiB);
    expect(decoded.documents).toHaveLength(2);
    expect(decoded.control).toBe(1);
    expect(decoded.errors.map((e) => [e.label, e.error.reason])).toEqual([
      ['line 3', 'not_compressed'],
      ['line 4', 'invalid_json'],
    ]);
    // The dead letter carries the archive line itself, which decodes alone (by shape) on a later replay.
    expect(Buffer.from(decoded.errors[0]?.data ?? '', 'base64').toString()).toBe(corrupt);
    expect(Buffer.from(decoded.errors[1]?.data ?? '', 'base64').toString()).toBe('{"half a line');
  });

  it("re-reads the indexer's dead letters: documents again, payloads decoded again", () => {
    const [document] = documentsOf(message('/vpc/flow-logs', [flow(6)]));
    const kinesisData = payload(message('/vpc/flow-logs', [flow(7), flow(8)]));
    const letters: DeadLetter[] = [
      {
        reason: 'mapper_parsing_exception',
        type: 'mapper_parsing_exception',
        status: 400,
        source: {},
        document,
        at: '2023-11-14T00:00:00Z',
      },
      {
        reason: 'was retried',
        type: 'decode_error:truncated',
        source: {},
        data: kinesisData,
        at: '2023-11-14T00:00:00Z',
      },
      {
        reason: 'bad',
        type: 'decode_error:invalid_base64',
        source: {},
        data: '!!!',
        at: '2023-11-14T00:00:00Z',
      },
    ];
    const decoded = decodeObject(deadLetterBody(letters), decoder, MiB);
    expect(decoded.format).toBe('dead-letter');
    expect(decoded.documents).toHaveLength(3);
    expect(decoded.documents[0]?.document).toEqual(document);
    expect(decoded.errors).toHaveLength(1);
    expect(decoded.errors[0]).toMatchObject({
      label: 'line 3',
      data: '!!!',
      error: { reason: 'invalid_base64' },
    });
  });

  it('refuses objects that inflate past the limit, and corrupt ones, as one unit', () => {
    const big = gzipSync(Buffer.alloc(2 * MiB, 0x20));
    expect(decodeObject(big, decoder, MiB).errors).toMatchObject([
      { label: 'object', error: { reason: 'too_large' } },
    ]);
    const truncated = gzipSync(ndjson(documentsOf(message('/vpc/flow-logs', [flow(9)])))).subarray(0, 30);
    const decoded = decodeObject(truncated, decoder, MiB);
    expect(decoded.errors).toMatchObject([{ label: 'object', error: { reason: 'truncated' } }]);
    expect(decoded.errors[0]?.data).toBe(Buffer.from(truncated).toString('base64'));
  });
});
