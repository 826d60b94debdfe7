// Real third-party samples (Elastic's AWS integration, Datadog, Powertools; copied from
// ../shared/fixtures/peer into packages/decoder/tests/fixtures), decoded by the real decoder,
// and variants built from them where the corpus has no sample of the case (a root sign-in is a
// real console sign-in with `userIdentity.type` set to Root).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createDecoder } from '@central-logging/decoder';
import type { LogDocument } from '@central-logging/log-schema';

const FIXTURES = new URL('../../../decoder/tests/fixtures/', import.meta.url);
const decoder = createDecoder();
let nextId = 37199717562907174288355125807040114704837640994600000000n;

export const OWNER = '111122223333';

export function fixtureLines(path: string): string[] {
  return readFileSync(new URL(path, FIXTURES), 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0);
}

/** Documents for `messages` as if they arrived in `logGroup` of `owner`, one second apart from `start`. */
export function decode(
  logGroup: string,
  messages: readonly string[],
  options: { owner?: string; start?: number; logStream?: string } = {},
): LogDocument[] {
  const start = options.start ?? 1_700_000_000_000;
  const result = decoder.decodeMessage({
    messageType: 'DATA_MESSAGE',
    owner: options.owner ?? OWNER,
    logGroup,
    logStream: options.logStream ?? 'stream-1',
    subscriptionFilters: ['central-logging'],
    logEvents: messages.map((message, i) => ({ id: String(nextId++), timestamp: start + i * 1000, message })),
  });
  if (result.kind !== 'data') throw new Error(`fixture did not decode: ${JSON.stringify(result)}`);
  return result.documents;
}

type Json = Record<string, unknown>;

/** The CloudTrail records of a fixture file, each passed through `change` (a copy), as documents. */
export function cloudTrail(
  file: string,
  change: (record: Json, index: number) => Json = (r) => r,
  owner = OWNER,
): LogDocument[] {
  const records = fixtureLines(`cloudtrail/${file}`).map((line, i) =>
    change(structuredClone(JSON.parse(line) as Json), i),
  );
  return decode(
    'aws-cloudtrail-logs-org',
    records.map((r) => JSON.stringify(r)),
    { owner },
  );
}

export const consoleLogins = (change?: (record: Json, index: number) => Json) =>
  cloudTrail('integrations_test-console-login-json.log', change);
export const securityGroupIngress = (change?: (record: Json, index: number) => Json) =>
  cloudTrail('integrations_test-authorize-security-group-ingress-json.log', change);

/** An nginx access line from a Kubernetes container, as Fluent Bit ships it. */
export function nginxLine(status: number, path = '/api/orders', seconds = 0, ms?: number): string {
  const time = new Date(1_700_000_000_000 + seconds * 1000).toISOString();
  const log = `10.0.0.7 - - [14/Nov/2023:22:13:20 +0000] "GET ${path} HTTP/1.1" ${status} 512 "-" "curl/8.4"${ms === undefined ? '' : ` ${(ms / 1000).toFixed(3)}`}`;
  return JSON.stringify({
    log,
    stream: 'stdout',
    time,
    kubernetes: {
      pod_name: 'orders-7d9f8b6c5-x2x9z',
      namespace_name: 'shop',
      container_name: 'nginx',
      host: 'ip-10-0-1-23',
    },
  });
}

/** A Kinesis batch of one CloudWatch Logs payload, as the alerts Lambda receives it. */
export function kinesisBatch(logGroup: string, messages: readonly string[], owner = OWNER) {
  const data = gzipSync(
    JSON.stringify({
      messageType: 'DATA_MESSAGE',
      owner,
      logGroup,
      logStream: 'stream-1',
      subscriptionFilters: ['central-logging'],
      logEvents: messages.map((message, i) => ({
        id: String(nextId++),
        timestamp: 1_700_000_000_000 + i,
        message,
      })),
    }),
  ).toString('base64');
  return {
    Records: [
      {
        eventID: 'shardId-000000000000:4960001',
        eventSourceARN: 'arn:aws:kinesis:eu-west-1:999988887777:stream/central-logs',
        kinesis: { data, sequenceNumber: '4960001' },
      },
    ],
  };
}
