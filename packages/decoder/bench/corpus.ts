// A realistic, reproducible benchmark corpus: Firehose invocations of ≈5 records, each a
// CloudWatch Logs payload of 100–1000 events from one log group, mixing flow logs, CloudTrail,
// Lambda and container logs. A fixed seed makes every run decode the same bytes.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { FirehoseTransformationEvent } from '../src/index.ts';

/** Mulberry32: a tiny seeded PRNG, so the corpus is identical run to run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const trailRecords = [
  'console-login',
  'assume-role-aws-service',
  'get-caller-identity',
  'put-object',
  'authorize-security-group-ingress',
  'get-secret-value',
  'us-gov-arn',
]
  .flatMap((name) =>
    readFileSync(
      new URL(
        `../tests/fixtures/cloudtrail/integrations_test-${name}-json.log`.replace(
          '-us-gov-arn-json',
          '-us-gov-arn',
        ),
        import.meta.url,
      ),
      'utf8',
    ).split('\n'),
  )
  .filter((line) => line.trim().length > 0);

type Family = 'vpcflow' | 'cloudtrail' | 'lambda' | 'container';
const FAMILIES: Family[] = ['vpcflow', 'cloudtrail', 'lambda', 'container'];
const LOG_GROUPS: Record<Family, string> = {
  vpcflow: '/vpc/flow-logs',
  cloudtrail: 'aws-cloudtrail-logs-org',
  lambda: '/aws/lambda/orders-api',
  container: '/aws/containerinsights/prod/application',
};

function message(family: Family, rand: () => number, i: number): string {
  const ip = () => `10.${(rand() * 256) | 0}.${(rand() * 256) | 0}.${(rand() * 256) | 0}`;
  const t = 1_700_000_000 + i;
  switch (family) {
    case 'vpcflow':
      return `2 123456789010 eni-0${Math.floor(rand() * 2 ** 52)
        .toString(16)
        .padStart(
          16,
          '0',
        )} ${ip()} ${ip()} ${(rand() * 65535) | 0} ${rand() < 0.5 ? 443 : 22} 6 ${(rand() * 100) | 0} ${(rand() * 1e5) | 0} ${t} ${t + 60} ${rand() < 0.9 ? 'ACCEPT' : 'REJECT'} OK`;
    case 'cloudtrail': {
      // A real trail never repeats ids, times or callers: vary them, or gzip sees the same seven
      // records again and again and the corpus compresses far better than real logs do.
      const record = JSON.parse(trailRecords[(rand() * trailRecords.length) | 0] ?? '{}') as Record<
        string,
        unknown
      >;
      record.eventID = uuid(rand);
      record.requestID = uuid(rand);
      record.eventTime = new Date((t + ((rand() * 3600) | 0)) * 1000).toISOString().replace('.000Z', 'Z');
      record.sourceIPAddress = `${(rand() * 223) | 0 || 1}.${(rand() * 256) | 0}.${(rand() * 256) | 0}.${(rand() * 256) | 0}`;
      record.recipientAccountId = String(100_000_000_000 + ((rand() * 899_999_999_999) | 0));
      return JSON.stringify(record);
    }
    case 'lambda': {
      const id = `8edab1f8-7d34-4a8e-a965-${Math.floor(rand() * 2 ** 48)
        .toString(16)
        .padStart(12, '0')}`;
      const r = rand();
      if (r < 0.2) return `START RequestId: ${id} Version: $LATEST\n`;
      if (r < 0.4) return `END RequestId: ${id}\n`;
      if (r < 0.6)
        return `REPORT RequestId: ${id}\tDuration: ${(rand() * 900).toFixed(2)} ms\tBilled Duration: 900 ms\tMemory Size: 128 MB\tMax Memory Used: 51 MB\t\n`;
      return `${new Date(t * 1000).toISOString()}\t${id}\tINFO\tprocessed order ${(rand() * 1e9) | 0} for customer ${uuid(rand)} in ${(rand() * 500).toFixed(1)} ms\n`;
    }
    case 'container':
      return JSON.stringify({
        log: `${ip()} - - [14/Nov/2023:22:13:20 +0000] "GET /api/orders/${(rand() * 1e9) | 0}?session=${uuid(rand)} HTTP/1.1" ${rand() < 0.95 ? 200 : 503} ${(rand() * 5000) | 0} "-" "Mozilla/5.0 (X11; Linux x86_64)"\n`,
        stream: 'stdout',
        time: new Date(t * 1000 + ((rand() * 1000) | 0)).toISOString(),
        kubernetes: {
          pod_name: 'orders-7d9f8b6c5-x2x9z',
          namespace_name: 'shop',
          pod_id: 'f1e2d3c4-b5a6-4789-8a7b-6c5d4e3f2a1b',
          host: 'ip-10-0-1-23.eu-west-1.compute.internal',
          container_name: 'nginx',
          docker_id: '4f1c2b3a5d6e7f8091a2b3c4d5e6f7081920a1b2c3d4e5f60718293a4b5c6d7e',
          container_image: 'nginx:1.25',
        },
      });
  }
}

function uuid(rand: () => number): string {
  const hex = (n: number) =>
    Math.floor(rand() * 16 ** n)
      .toString(16)
      .padStart(n, '0');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
}

/** One benchmark corpus: invocations plus the byte counts the report divides by. */
export interface Corpus {
  readonly invocations: FirehoseTransformationEvent[];
  readonly events: number;
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
}

/** Builds `invocations` Firehose events from `seed`. */
export function buildCorpus(invocations: number, seed = 42): Corpus {
  const rand = seeded(seed);
  let events = 0;
  let compressedBytes = 0;
  let uncompressedBytes = 0;
  let eventId = 37199717562907174288355125807040114704837640994633613312n;
  const out: FirehoseTransformationEvent[] = [];
  for (let n = 0; n < invocations; n++) {
    const records = Array.from({ length: 5 }, (_, r) => {
      const family = FAMILIES[(rand() * FAMILIES.length) | 0] ?? 'vpcflow';
      const count = 100 + ((rand() * 901) | 0);
      const logEvents = Array.from({ length: count }, (_, i) => ({
        id: String(eventId++),
        timestamp: 1_700_000_000_000 + i,
        message: message(family, rand, i),
      }));
      const json = JSON.stringify({
        messageType: 'DATA_MESSAGE',
        owner: '123456789010',
        logGroup: LOG_GROUPS[family],
        logStream: 'stream',
        subscriptionFilters: ['central-logging'],
        logEvents,
      });
      const gz = gzipSync(json);
      events += count;
      compressedBytes += gz.length;
      uncompressedBytes += Buffer.byteLength(json);
      return {
        recordId: `${n}-${r}`,
        approximateArrivalTimestamp: 1_700_000_000_000,
        data: gz.toString('base64'),
      };
    });
    out.push({
      invocationId: String(n),
      deliveryStreamArn: 'arn:aws:firehose:eu-west-1:1:deliverystream/bench',
      records,
    });
  }
  return { invocations: out, events, compressedBytes, uncompressedBytes };
}
