// The decode CLI as users run it: a real process, real stdin, NDJSON on stdout, errors on stderr.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { dataMessage, encodePayload, fixtureText, kinesisEvent } from '../support/payloads.ts';

const cli = fileURLToPath(new URL('../../src/cli/decode.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

function decode(input: string | Buffer, args: string[] = []) {
  const run = spawnSync(tsx, [cli, ...args], { input, timeout: 30_000 });
  const stdout = run.stdout.toString('utf8');
  return {
    status: run.status,
    stderr: run.stderr.toString('utf8'),
    documents: stdout
      .split('\n')
      .filter(Boolean)
      .map(
        (line) =>
          JSON.parse(line) as {
            event: { id: string; dataset: string };
            cloud: { account: { id: string }; region?: string };
            source?: { ip?: string };
          },
      ),
  };
}

const flow =
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';

describe('pnpm decode', () => {
  it('decodes base64 text pasted from the console, in input order', () => {
    const message = dataMessage('/vpc/flow-logs', [flow, flow.replace('20641', '20642')]);
    const { status, documents } = decode(encodePayload(message) + '\n');
    expect(status).toBe(0);
    expect(documents.map((d) => d.event.id)).toEqual(message.logEvents.map((e) => e.id));
  });

  it('decodes raw gzip bytes and a Kinesis event alike', () => {
    const message = dataMessage('/aws/lambda/f', ['START RequestId: 1 Version: $LATEST']);
    expect(decode(gzipSync(JSON.stringify(message))).documents).toHaveLength(1);
    const event = kinesisEvent([encodePayload(message), encodePayload(message)]);
    expect(decode(JSON.stringify(event)).documents).toHaveLength(2);
  });

  it('treats each line as one log event with --lines', () => {
    const lines = fixtureText('vpcflow/test-extra-samples.log');
    const { status, documents } = decode(lines, [
      '--lines',
      '--log-group',
      '/vpc/flow-logs',
      '--account',
      '123456789010',
      '--region',
      'eu-west-1',
    ]);
    expect(status).toBe(0);
    expect(documents).toHaveLength(lines.split('\n').filter((l) => l.trim()).length);
    expect(documents.every((d) => d.event.dataset === 'aws.vpcflow' && d.cloud.region === 'eu-west-1')).toBe(
      true,
    );
    // Stable ids: the same file decodes to the same ids.
    expect(
      decode(lines, ['--lines', '--log-group', '/vpc/flow-logs']).documents.map((d) => d.event.id),
    ).toEqual(documents.map((d) => d.event.id));
  });

  it('takes a flow-log format with --format', () => {
    const line = 'vpc-abcdefab012345678 10.0.0.1 10.0.0.2 443 49152 6 ACCEPT';
    const format = '${vpc-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${action}';
    const { status, documents } = decode(line, ['--lines', '--log-group', 'anything', '--format', format]);
    expect(status).toBe(0);
    expect(documents[0]?.source?.ip).toBe('10.0.0.1');
  });

  it('reads the lines after a flow-log header as flow logs with --lines, in any log group', () => {
    // An S3 flow-log file in Vector's v5 order: no log-status field, so only the header says so.
    const file = [
      'version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id subnet-id instance-id interface-id region az-id sublocation-type sublocation-id action tcp-flags pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction',
      '5 52.95.128.179 10.0.0.71 80 34210 6 1616729292 1616729349 IPv4 14 15044 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 19 52.95.128.179 10.0.0.71 S3 - - ingress',
    ].join('\n');
    const { status, documents } = decode(file, ['--lines', '--log-group', 'x']);
    expect(status).toBe(0);
    expect(documents.map((d) => [d.event.dataset, d.source?.ip])).toEqual([['aws.vpcflow', '52.95.128.179']]);
  });

  it('reports errors on stderr and exits 1 when nothing decodes', () => {
    const { status, stderr, documents } = decode('definitely not a payload');
    expect(status).toBe(1);
    expect(documents).toHaveLength(0);
    expect(stderr).toMatch(/invalid_base64/);
  });

  it('exits 2 with usage for a bad flag', () => {
    const { status, stderr } = decode('', ['--lines']);
    expect(status).toBe(2);
    expect(stderr).toMatch(/--log-group/);
  });
});
