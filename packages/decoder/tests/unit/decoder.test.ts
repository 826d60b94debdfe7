import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  createDecoder,
  decodeAwslogsEvent,
  decodeKinesisEvent,
  DecoderConfigError,
  type DataMessage,
  type KinesisStreamEvent,
  type PayloadResult,
} from '../../src/index.ts';
import { controlMessage, dataMessage, encodePayload, fixture } from '../support/payloads.ts';

const decoder = createDecoder();

function data(result: PayloadResult) {
  if (result.kind !== 'data') throw new Error(`expected data, got ${result.kind}: ${JSON.stringify(result)}`);
  return result;
}

describe('decoding real deliveries', () => {
  it('decodes the real Kinesis event Powertools captured: every log event becomes one document', () => {
    const event = fixture<KinesisStreamEvent>('envelopes/powertools_kinesisStreamCloudWatchLogsEvent.json');
    const results = decodeKinesisEvent(event, decoder);
    expect(results).toHaveLength(2);
    for (const [i, { coordinates, result }] of results.entries()) {
      const expected = fixture<DataMessage>(
        `envelopes/powertools_kinesisStreamCloudWatchLogsEvent.record${i}.DECODED.json`,
      );
      const { documents, stats } = data(result);
      expect(coordinates.shardId).toBe('shardId-000000000000');
      expect(coordinates.sequenceNumber).toBe(event.Records[i]?.kinesis.sequenceNumber);
      expect(stats.events).toBe(expected.logEvents.length);
      expect(documents.map((d) => d.event.id)).toEqual(expected.logEvents.map((e) => e.id));
      expect(documents.map((d) => d.event.original)).toEqual(expected.logEvents.map((e) => e.message));
      for (const document of documents) {
        expect(typeof document.event.id).toBe('string');
        expect(document.event.dataset).toBe('aws.lambda');
        expect(document.cloud.account.id).toBe(expected.owner);
        expect(document.aws.cloudwatch).toMatchObject({
          log_group: expected.logGroup,
          log_stream: expected.logStream,
        });
      }
    }
  });

  it('decodes the awslogs Lambda event (gzip) from the AWS docs', () => {
    const event = fixture<{ awslogs: { data: string } }>(
      'envelopes/lambda-sample_cloudwatch-logs-awslogs-event.json',
    );
    const expected = fixture<DataMessage>(
      'envelopes/lambda-sample_cloudwatch-logs-awslogs-event.DECODED.json',
    );
    const { documents } = data(decodeAwslogsEvent(event, decoder));
    expect(documents.map((d) => d.message)).toEqual(expected.logEvents.map((e) => e.message));
    expect(documents.map((d) => d['@timestamp'])).toEqual(
      expected.logEvents.map((e) => new Date(e.timestamp).toISOString()),
    );
  });

  it('decodes the zlib-compressed awslogs event with policyLevel', () => {
    const event = fixture<{ awslogs: { data: string } }>(
      'envelopes/powertools_cloudWatchLogEventWithPolicyLevel.json',
    );
    const { documents, message } = data(decodeAwslogsEvent(event, decoder));
    expect(message.policyLevel).toBe('ACCOUNT_LEVEL_POLICY');
    expect(documents).toHaveLength(2);
  });
});

describe('envelope-derived fields', () => {
  it('takes account and region from extractedFields of a centralized log group', () => {
    const message = dataMessage('/app/orders', ['plain text'], {
      extractedFields: { '@aws.account': '444455556666', '@aws.region': 'ap-southeast-2' },
    });
    const [document] = decoder.decodeEvents(message).documents;
    expect(document?.cloud).toEqual({
      provider: 'aws',
      account: { id: '444455556666' },
      region: 'ap-southeast-2',
    });
  });

  it('falls back to the owner and leaves region absent when nothing says it', () => {
    const [document] = decoder.decodeEvents(dataMessage('/app/orders', ['plain text'])).documents;
    expect(document?.cloud).toEqual({ provider: 'aws', account: { id: '111122223333' } });
  });

  it('prefers the record’s own account (CloudTrail recipientAccountId) over the owner', () => {
    const trail = JSON.stringify({
      eventVersion: '1.08',
      eventTime: '2024-01-01T00:00:00Z',
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateUser',
      awsRegion: 'us-east-1',
      recipientAccountId: '777788889999',
      userIdentity: { type: 'Root', accountId: '777788889999' },
    });
    const [document] = decoder.decodeEvents(dataMessage('org-trail/CloudTrail', [trail])).documents;
    expect(document?.cloud.account.id).toBe('777788889999');
    expect(document?.aws.cloudwatch.owner).toBe('111122223333');
    expect(document?.['@timestamp']).toBe('2024-01-01T00:00:00.000Z');
  });

  it('keeps event.original unless configured off', () => {
    const message = dataMessage('/app/orders', ['hello']);
    expect(decoder.decodeEvents(message).documents[0]?.event.original).toBe('hello');
    expect(
      createDecoder({ keepOriginal: false }).decodeEvents(message).documents[0]?.event.original,
    ).toBeUndefined();
  });

  it('gives each record of a {"Records":[…]} event its own stable id, keeping the raw event once', () => {
    const record = (name: string) => ({
      eventVersion: '1.08',
      eventTime: '2024-01-01T00:00:00Z',
      eventSource: 's3.amazonaws.com',
      eventName: name,
      awsRegion: 'us-east-1',
    });
    const message = dataMessage('cloudtrail', [
      JSON.stringify({ Records: [record('GetObject'), record('PutObject')] }),
    ]);
    const first = decoder.decodeEvents(message);
    const again = decoder.decodeEvents(message);
    const id = message.logEvents[0]?.id;
    expect(first.documents.map((d) => d.event.id)).toEqual([`${id}-0`, `${id}-1`]);
    expect(again.documents.map((d) => d.event.id)).toEqual(first.documents.map((d) => d.event.id));
    expect(first.documents.map((d) => d.event.action)).toEqual(['GetObject', 'PutObject']);
    expect(first.documents.filter((d) => d.event.original !== undefined)).toHaveLength(1);
    expect(first.stats).toMatchObject({ events: 1, documents: 2 });
  });
});

describe('detection', () => {
  it('routes by log group first, then by content', () => {
    const flow =
      '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
    const byGroup = decoder.decodeEvents(dataMessage('/vpc/flow-logs', [flow])).documents[0];
    const byContent = decoder.decodeEvents(dataMessage('/some/unnamed/group', [flow])).documents[0];
    expect(byGroup?.event.dataset).toBe('aws.vpcflow');
    expect(byContent?.event.dataset).toBe('aws.vpcflow');
    expect(byContent?.source?.ip).toBe('172.31.16.139');
  });

  it('lets configured log-group rules win over the built-in ones', () => {
    const custom = createDecoder({ logGroupSources: [{ pattern: '/org/network/*', source: 'vpcflow' }] });
    const flow = '2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 50000 6 1 40 1418530010 1418530070 REJECT OK';
    expect(custom.decodeEvents(dataMessage('/org/network/prod', [flow])).documents[0]?.event.dataset).toBe(
      'aws.vpcflow',
    );
  });

  it('reads a flow-log header line as the format of the events after it', () => {
    const header =
      'version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status';
    const line =
      '3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789012 IPv4 52.213.180.42 10.0.0.62 43416 5001 52.213.180.42 10.0.0.62 6 568 8 1566848875 1566848933 ACCEPT 2 OK';
    const { documents, stats } = decoder.decodeEvents(dataMessage('/vpc/flow-logs', [header, line]));
    expect(stats).toMatchObject({ events: 2, headers: 1, documents: 1 });
    expect(documents[0]?.aws.vpcflow?.vpc_id).toBe('vpc-abcdefab012345678');
    expect(documents[0]?.destination?.port).toBe(5001);
  });

  it('keeps a line that fails its source parser as text, tagged with the reason', () => {
    const { documents, stats } = decoder.decodeEvents(
      dataMessage('/vpc/flow-logs', ['this is not a flow log']),
    );
    expect(stats.parseFailures).toBe(1);
    expect(documents[0]).toMatchObject({
      message: 'this is not a flow log',
      tags: ['parse_failure'],
      event: { dataset: 'aws.cloudwatch_logs' },
    });
    expect(documents[0]?.error?.message).toBeTruthy();
  });
});

describe('bad input', () => {
  const good = dataMessage('/app/orders', ['hello']);

  const cases: Array<[string, string | Uint8Array, string]> = [
    ['invalid base64', 'not*base64', 'invalid_base64'],
    [
      'base64 that is not compressed',
      Buffer.from('{"messageType":"DATA_MESSAGE"}').toString('base64'),
      'not_compressed',
    ],
    ['truncated gzip', gzipSync(JSON.stringify(good)).subarray(0, 30), 'truncated'],
    ['invalid JSON', gzipSync('{"messageType": "DATA_MESSAGE", '), 'invalid_json'],
    ['invalid UTF-8', gzipSync(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d])), 'invalid_utf8'],
    ['wrong types', encodePayload({ ...good, logEvents: 'none' }), 'invalid_schema'],
    [
      'an unknown messageType',
      encodePayload({ ...good, messageType: 'SOMETHING_ELSE' }),
      'unknown_message_type',
    ],
    ['empty logEvents', encodePayload({ ...good, logEvents: [] }), 'empty_log_events'],
  ];
  it.each(cases)('%s → a typed error with its reason', (_, input, reason) => {
    const result = decoder.decodeData(input);
    expect(result.kind).toBe('error');
    if (result.kind === 'error') expect(result.error.reason).toBe(reason);
  });

  it('refuses a gzip bomb at the configured decompressed-size limit', () => {
    const bomb = gzipSync(
      JSON.stringify({
        ...good,
        logEvents: [{ id: '1', timestamp: 1, message: 'a'.repeat(8 * 1024 * 1024) }],
      }),
    );
    const small = createDecoder({ maxDecompressedBytes: 1024 * 1024 });
    const result = small.decodeData(bomb);
    expect(result.kind === 'error' && result.error.reason).toBe('too_large');
    expect(decoder.decodeData(bomb).kind).toBe('data');
  });

  it('keeps a huge single message unparsed instead of parsing it', () => {
    const huge = JSON.stringify({
      eventVersion: '1.08',
      eventSource: 'x',
      eventName: 'y',
      padding: 'p'.repeat(300_000),
    });
    const small = createDecoder({ maxParseBytes: 100_000 });
    const { documents, stats } = small.decodeEvents(dataMessage('cloudtrail', [huge, 'next']));
    expect(stats.oversized).toBe(1);
    expect(documents).toHaveLength(2);
    expect(documents[0]).toMatchObject({
      message: huge,
      tags: ['message_too_large'],
      event: { dataset: 'aws.cloudwatch_logs' },
    });
  });

  it('drops a CONTROL_MESSAGE', () => {
    expect(decoder.decodeData(encodePayload(controlMessage())).kind).toBe('control');
  });

  it('fails fast on a bad configuration, naming the problem', () => {
    expect(() => createDecoder({ maxDecompressedBytes: -1 })).toThrow(DecoderConfigError);
    expect(() =>
      createDecoder({ flowLogFormats: [{ logGroup: '*', format: '${version} ${no-such-field}' }] }),
    ).toThrow(/no-such-field/);
    // @ts-expect-error: an unknown source is a type error and a runtime error
    expect(() => createDecoder({ logGroupSources: [{ pattern: '*', source: 'syslog' }] })).toThrow(/syslog/);
  });
});
