import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  createDecoder,
  decodeInput,
  decodeInputLine,
  transformFirehoseEvent,
  type InputItem,
} from '../../src/index.ts';
import { splitConcatenatedJson } from '../../src/envelope/any-input.ts';
import { dataMessage, encodePayload, firehoseEvent, fixture, kinesisEvent } from '../support/payloads.ts';

const decoder = createDecoder();
const flow = (n: number) =>
  `2 123456789010 eni-1235b8ca123456789 10.0.0.${n} 10.1.0.1 443 5000${n} 6 1 40 1700000000 1700000060 ACCEPT OK`;

function nested(text: string, times: number): Buffer {
  let out = text;
  for (let i = 0; i < times; i++) out = Buffer.from(out).toString('base64');
  return Buffer.from(out);
}

function documentIds(items: InputItem[]): string[] {
  return items.flatMap((item) => {
    if (item.kind === 'document') return [item.document.event.id];
    if (item.kind === 'payload' && item.result.kind === 'data')
      return item.result.documents.map((d) => d.event.id);
    return [];
  });
}

describe('decodeInput tells inputs apart by shape', () => {
  const message = dataMessage('/vpc/flow-logs', [flow(1), flow(2)]);
  const ids = message.logEvents.map((e) => e.id);

  it.each([
    [
      'base64 text, wrapped over lines like a console copy',
      Buffer.from(encodePayload(message).replace(/(.{60})/g, '$1\n')),
    ],
    ['gzip bytes', gzipSync(JSON.stringify(message))],
    ['a subscription message as JSON', Buffer.from(JSON.stringify(message))],
    ['a Kinesis event', Buffer.from(JSON.stringify(kinesisEvent([encodePayload(message)])))],
    ['a Firehose transformation event', Buffer.from(JSON.stringify(firehoseEvent([encodePayload(message)])))],
    ['an awslogs event', Buffer.from(JSON.stringify({ awslogs: { data: encodePayload(message) } }))],
  ])('%s', (_, input) => {
    expect(documentIds(decodeInput(input, decoder))).toEqual(ids);
  });

  it('reads an archive object as Firehose writes it: gzip members concatenated, one per record', () => {
    const records = [
      dataMessage('/vpc/flow-logs', [flow(3)]),
      dataMessage('/vpc/flow-logs', [flow(4), flow(5)]),
    ];
    const { response } = transformFirehoseEvent(firehoseEvent(records.map(encodePayload)), decoder);
    const object = Buffer.concat(response.records.map((r) => Buffer.from(r.data, 'base64')));
    const items = decodeInput(object, decoder);
    expect(items.every((item) => item.kind === 'document')).toBe(true);
    expect(documentIds(items)).toEqual(records.flatMap((r) => r.logEvents.map((e) => e.id)));
  });

  it('re-decodes what Firehose wrote to its error prefix (one JSON record per line, rawData)', () => {
    const failed = { ...message, logEvents: [{ id: '1', timestamp: 1, message: 'x' }] };
    const lines = [encodePayload(message), encodePayload(failed)].map((rawData, i) =>
      JSON.stringify({
        attemptsMade: 1,
        arrivalTimestamp: 1700000000000 + i,
        errorCode: 'Lambda.ProcessingFailed',
        errorMessage: 'response_too_large',
        rawData,
        lambdaArn: 'arn:aws:lambda:eu-west-1:111122223333:function:decoder:$LATEST',
      }),
    );
    const items = decodeInput(gzipSync(lines.join('\n') + '\n'), decoder);
    expect(items.map((i) => i.kind)).toEqual(['payload', 'payload']);
    expect(documentIds(items)).toEqual([...ids, '1']);
    // The same records written back to back, without newlines, read the same.
    const concatenated = decodeInput(gzipSync(lines.join('')), decoder);
    expect(concatenated.map((i) => i.label)).toEqual(['line 1[0]', 'line 1[1]']);
    expect(documentIds(concatenated)).toEqual([...ids, '1']);
  });

  it('splits concatenated JSON objects only when every piece is one, braces in strings included', () => {
    expect(splitConcatenatedJson('{"a":"}{"} {"b":[{"c":1}]}')).toEqual([{ a: '}{' }, { b: [{ c: 1 }] }]);
    expect(splitConcatenatedJson('{"a":"\\\\"}{"b":2}')).toEqual([{ a: '\\' }, { b: 2 }]);
    expect(splitConcatenatedJson('{"a":1}')).toBeUndefined();
    expect(splitConcatenatedJson('{"a":1}x{"b":2}')).toBeUndefined();
    expect(splitConcatenatedJson('{"a":1}}{')).toBeUndefined();
    expect(splitConcatenatedJson('{"a":1}{"b":')).toBeUndefined();
  });

  it('keeps reading an archive past a bad line, reporting that line', () => {
    const [document] = decoder.decodeEvents(message).documents;
    const text = [
      JSON.stringify(document),
      '{"not":"a document"}',
      'not json',
      JSON.stringify(document),
    ].join('\n');
    const items = decodeInput(Buffer.from(text), decoder);
    expect(items.map((i) => i.kind)).toEqual(['document', 'error', 'error', 'document']);
    expect(items.map((i) => i.label)).toEqual(['line 1', 'line 2', 'line 3', 'line 4']);
  });

  it('refuses arrays nested thousands deep with a typed error, for a whole input and one line', () => {
    const nested = '['.repeat(2000) + ']'.repeat(2000);
    for (const items of [decodeInput(Buffer.from(nested), decoder), decodeInputLine(nested, decoder, 1)]) {
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({
        kind: 'error',
        error: { reason: 'invalid_wrapper', message: expect.stringContaining('nested too deeply') },
      });
    }
  });

  it('decodes the real Powertools Kinesis capture', () => {
    const event = fixture('envelopes/powertools_kinesisStreamCloudWatchLogsEvent.json');
    expect(documentIds(decodeInput(Buffer.from(JSON.stringify(event)), decoder))).toHaveLength(6);
  });

  it.each([
    ['empty input', Buffer.alloc(0), 'invalid_wrapper'],
    ['JSON of no known shape', Buffer.from('{"hello":"world"}'), 'invalid_wrapper'],
    ['a Kinesis record without data', Buffer.from('{"Records":[{"kinesis":{}}]}'), 'invalid_wrapper'],
    [
      'a valid payload base64-encoded four more times (a loop, not a delivery)',
      nested(encodePayload(dataMessage('/x', ['y'])), 4),
      'invalid_wrapper',
    ],
  ])('reports %s as an error item', (_, input, reason) => {
    const items = decodeInput(input, decoder);
    const errors = items.filter((i) => i.kind === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.map((e) => (e.kind === 'error' ? e.error.reason : ''))).toContain(reason);
  });
});
