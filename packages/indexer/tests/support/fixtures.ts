// The decoder's real fixture corpus as Kinesis records: third-party samples (Elastic's AWS
// integration, Powertools) from ../shared/fixtures, copied into packages/decoder/tests/fixtures.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { KinesisStreamEvent } from '@central-logging/decoder';

type KinesisRecord = KinesisStreamEvent['Records'][number];

const FIXTURES = new URL('../../../decoder/tests/fixtures/', import.meta.url);

function lines(path: string): string[] {
  return readFileSync(new URL(path, FIXTURES), 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0);
}

/** One log group per source, as the default detection rules know them. */
const SOURCES: readonly { logGroup: string; files: readonly string[] }[] = [
  { logGroup: '/vpc/flow-logs', files: ['vpcflow/test-extra-samples.log'] },
  {
    logGroup: 'aws-cloudtrail-logs-org',
    files: [
      'cloudtrail/integrations_test-assume-role-aws-service-json.log',
      'cloudtrail/integrations_test-authorize-security-group-ingress-json.log',
      'cloudtrail/integrations_test-console-login-json.log',
      'cloudtrail/integrations_test-get-caller-identity-json.log',
      'cloudtrail/integrations_test-get-secret-value-json.log',
      'cloudtrail/integrations_test-put-object-json.log',
      'cloudtrail/integrations_test-start-session-json.log',
      'cloudtrail/integrations_test-us-gov-arn.log',
      'cloudtrail/integrations_test-user-authentication.log',
    ],
  },
  { logGroup: '/aws/events/guardduty', files: ['guardduty/integrations_test-guardduty.log'] },
  { logGroup: '/aws/route53resolver/query-logs', files: ['route53_resolver/integrations_test-route53.log'] },
];

let sequence = 49_600_000_000_000_000_000n;

function record(logGroup: string, messages: readonly string[], firstId: bigint): KinesisRecord {
  const data = gzipSync(
    JSON.stringify({
      messageType: 'DATA_MESSAGE',
      owner: '111122223333',
      logGroup,
      logStream: 'fixtures',
      subscriptionFilters: ['central-logging'],
      logEvents: messages.map((message, i) => ({
        id: String(firstId + BigInt(i)),
        timestamp: 1_700_000_000_000 + i,
        message,
      })),
    }),
  ).toString('base64');
  const sequenceNumber = String(sequence++);
  return {
    eventID: `shardId-000000000000:${sequenceNumber}`,
    eventSourceARN: 'arn:aws:kinesis:eu-west-1:999988887777:stream/central-logs',
    kinesis: { data, sequenceNumber },
  };
}

/** The fixture corpus as one Kinesis batch: one record per fixture file, plus Powertools' real capture. */
export function fixtureBatch(): KinesisStreamEvent {
  let id = 37199717562907174288355125807040114704837640994600000000n;
  const records = SOURCES.flatMap(({ logGroup, files }) =>
    files.map((file) => {
      const messages = lines(file);
      const r = record(logGroup, messages, id);
      id += BigInt(messages.length);
      return r;
    }),
  );
  const powertools = JSON.parse(
    readFileSync(new URL('envelopes/powertools_kinesisStreamCloudWatchLogsEvent.json', FIXTURES), 'utf8'),
  ) as KinesisStreamEvent;
  return { Records: [...records, ...powertools.Records] };
}
