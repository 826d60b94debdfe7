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

  it('falls back to @aws.account, then the owner, for a flow log whose account-id is unknown', () => {
    // AWS writes `unknown` for interfaces an AWS service created (VPC endpoints, load balancers).
    const flow =
      '2 unknown eni-0a1b2c3d4e5f67890 10.0.1.25 10.0.2.17 443 49152 6 12 4821 1700000000 1700000060 ACCEPT OK';
    const centralized = dataMessage('/vpc/flow-logs', [flow], {
      extractedFields: { '@aws.account': '444455556666', '@aws.region': 'eu-west-1' },
    });
    const [document] = decoder.decodeEvents(centralized).documents;
    expect(document?.cloud.account.id).toBe('444455556666');
    expect(document?.aws.vpcflow?.account_id).toBe('unknown');
    const [owned] = decoder.decodeEvents(dataMessage('/vpc/flow-logs', [flow])).documents;
    expect(owned?.cloud.account.id).toBe('111122223333');
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

  it('keeps app lines that merely resemble an empty GuardDuty list or a flow-log header', () => {
    const messages = [
      '{"findings":[],"image":"registry/app:1.4","scanner":"trivy","status":"clean"}',
      '{"findings":[]}',
      'start end',
      'bytes packets',
      'start end bytes packets action',
    ];
    const { documents, stats } = decoder.decodeEvents(dataMessage('/app/scanner', messages));
    expect(stats).toMatchObject({ events: 5, documents: 5, emptyEvents: 0, headers: 0, parseFailures: 0 });
    expect(documents.map((d) => d.message)).toEqual(messages);
    expect(documents.every((d) => d.event.dataset === 'aws.cloudwatch_logs')).toBe(true);
  });

  it('still skips empty GuardDuty lists and short headers where the log group says what they are', () => {
    const guardduty = decoder.decodeEvents(dataMessage('/aws/events/guardduty', ['{"findings":[]}']));
    expect(guardduty.stats).toMatchObject({ emptyEvents: 1, documents: 0 });
    const { documents, stats } = decoder.decodeEvents(
      dataMessage('/vpc/flow-logs', ['start end', '1418530010 1418530070']),
    );
    expect(stats).toMatchObject({ headers: 1, documents: 1 });
    expect(documents[0]?.event.end).toBe('2014-12-14T04:07:50.000Z');
  });

  // Vector's v5 example order: no log-status field, so content detection alone cannot tell these
  // records from text; the configured format or the header must.
  const v5Format =
    'version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id subnet-id instance-id interface-id region az-id sublocation-type sublocation-id action tcp-flags pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction';
  const v5Line =
    '5 52.95.128.179 10.0.0.71 80 34210 6 1616729292 1616729349 IPv4 14 15044 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 19 52.95.128.179 10.0.0.71 S3 - - ingress';

  it('reads a log group with a configured flow-log format as flow logs, whatever its name', () => {
    const format = v5Format.replace(/\S+/g, (name) => `\${${name}}`);
    const custom = createDecoder({ flowLogFormats: [{ logGroup: '/org/net/*', format }] });
    const [document] = custom.decodeEvents(dataMessage('/org/net/vpc-a', [v5Line])).documents;
    expect(document?.event.dataset).toBe('aws.vpcflow');
    expect(document?.source?.ip).toBe('52.95.128.179');
    expect(document?.network?.direction).toBe('ingress');
  });

  it('reads the lines after a flow-log header as flow logs in its format, in any log group', () => {
    const { documents, stats } = decoder.decodeEvents(
      dataMessage('/some/unnamed/group', [v5Format, v5Line, v5Line.replace('34210', '34211')]),
    );
    expect(stats).toMatchObject({ headers: 1, documents: 2, parseFailures: 0 });
    expect(documents.map((d) => [d.event.dataset, d.destination?.port])).toEqual([
      ['aws.vpcflow', 34210],
      ['aws.vpcflow', 34211],
    ]);
  });

  it('parses Route 53 public hosted-zone query logs in /aws/route53/<zone>', () => {
    const line = '1.0 2017-12-13T08:16:02.130Z Z123412341234 example.com A NOERROR UDP FRA6 192.168.1.1 -';
    const { documents, stats } = decoder.decodeEvents(dataMessage('/aws/route53/example.com', [line]));
    expect(stats.parseFailures).toBe(0);
    expect(documents[0]).toMatchObject({
      '@timestamp': '2017-12-13T08:16:02.130Z',
      event: { dataset: 'aws.route53_resolver', outcome: 'success' },
      dns: { question: { name: 'example.com', type: 'A' }, response_code: 'NOERROR' },
      source: { ip: '192.168.1.1' },
      aws: { route53_resolver: { edge_location: 'FRA6' } },
    });
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

  it('keeps a CloudTrail or GuardDuty message nested past 64 levels as text, tagged parse_failure', () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    const trail = (payload: string) =>
      `{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"PutObject","eventTime":"2024-01-01T00:00:00Z","recipientAccountId":"111122223333","requestParameters":{"x":${payload}}}`;
    const finding = (payload: string) =>
      `{"schemaVersion":"2.0","type":"Recon:EC2/PortProbeUnprotectedPort","arn":"arn:aws:guardduty:us-east-1:111122223333:detector/d/finding/f","service":{"x":${payload}}}`;
    // ~16 KB of brackets, 8,000 levels: content detection claims it as CloudTrail in any group.
    const cases = [
      ['aws-cloudtrail-logs-org', trail(nested(8000))],
      ['/app/anything', trail(nested(8000))],
      ['/aws/events/guardduty', finding(nested(8000))],
      ['cloudtrail', trail(nested(64))],
    ] as const;
    for (const [group, message] of cases) {
      const { documents } = data(decoder.decodeData(encodePayload(dataMessage(group, [message, 'next']))));
      expect(documents, group).toHaveLength(2);
      expect(documents[0]).toMatchObject({
        message,
        tags: ['parse_failure'],
        event: { dataset: 'aws.cloudwatch_logs' },
        error: { message: expect.stringContaining('deeper than 64 levels') },
      });
      expect(documents[1]?.message).toBe('next');
    }
    // Up to the limit, the payload stays searchable under flattened.*.
    const [kept] = decoder.decodeEvents(dataMessage('cloudtrail', [trail(nested(63))])).documents;
    expect(kept?.aws.cloudtrail?.flattened?.request_parameters).toBeDefined();
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
