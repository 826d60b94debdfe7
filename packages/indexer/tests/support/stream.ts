// Synthetic Kinesis traffic as CloudWatch Logs writes it: base64(gzip(subscription JSON)), with
// unique CloudWatch-shaped event ids, mixing flow logs, CloudTrail and Lambda lines.
import { gzipSync } from 'node:zlib';
import type { KinesisStreamEvent } from '@central-logging/decoder';

type KinesisRecord = KinesisStreamEvent['Records'][number];

const GROUPS = ['/vpc/flow-logs', 'aws-cloudtrail-logs-org', '/aws/lambda/orders-api'] as const;

function message(group: (typeof GROUPS)[number], n: number, time: number): string {
  const seconds = Math.floor(time / 1000);
  if (group === '/vpc/flow-logs') {
    return `2 111122223333 eni-0${(n % 97).toString(16).padStart(16, '0')} 10.${n % 250}.${(n >> 8) % 250}.${n % 200} 10.1.0.${n % 250} ${1024 + (n % 60000)} 443 6 ${1 + (n % 50)} ${40 * (1 + (n % 50))} ${seconds - 60} ${seconds} ${n % 11 === 0 ? 'REJECT' : 'ACCEPT'} OK`;
  }
  if (group === 'aws-cloudtrail-logs-org') {
    return JSON.stringify({
      eventVersion: '1.08',
      userIdentity: {
        type: 'IAMUser',
        principalId: 'AIDAEXAMPLE',
        arn: 'arn:aws:iam::111122223333:user/ops',
        accountId: '111122223333',
        userName: 'ops',
      },
      eventTime: new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      eventSource: 's3.amazonaws.com',
      eventName: n % 3 === 0 ? 'PutObject' : 'GetObject',
      awsRegion: 'eu-west-1',
      sourceIPAddress: `203.0.113.${n % 250}`,
      userAgent: 'aws-cli/2.15',
      requestParameters: { bucketName: 'data', key: `k/${n}` },
      responseElements: null,
      eventID: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
      eventType: 'AwsApiCall',
      recipientAccountId: '111122223333',
    });
  }
  return `REPORT RequestId: 8edab1f8-7d34-4a8e-a965-${n.toString(16).padStart(12, '0')}\tDuration: ${(n % 900) + 0.5} ms\tBilled Duration: ${(n % 900) + 1} ms\tMemory Size: 256 MB\tMax Memory Used: 80 MB\t`;
}

/**
 * `events` log events in records of `eventsPerRecord`, one log group per record, ids unique for
 * the given `seed` (tests running in parallel use different seeds).
 */
export function kinesisRecords(events: number, eventsPerRecord: number, seed = 1): KinesisRecord[] {
  const records: KinesisRecord[] = [];
  const base = 1_700_000_000_000;
  let n = 0;
  for (let r = 0; n < events; r++) {
    const group = GROUPS[r % GROUPS.length] as (typeof GROUPS)[number];
    const logEvents = [];
    for (let i = 0; i < eventsPerRecord && n < events; i++, n++) {
      const time = base + n * 7;
      logEvents.push({ id: eventId(seed, n), timestamp: time, message: message(group, n, time) });
    }
    const data = gzipSync(
      JSON.stringify({
        messageType: 'DATA_MESSAGE',
        owner: '111122223333',
        logGroup: group,
        logStream: `stream-${r % 4}`,
        subscriptionFilters: ['central-logging'],
        logEvents,
      }),
    ).toString('base64');
    const sequenceNumber = String(49_650_000_000_000_000_000n + BigInt(r));
    records.push({
      eventID: `shardId-000000000000:${sequenceNumber}`,
      eventSourceARN: 'arn:aws:kinesis:eu-west-1:999988887777:stream/central-logs',
      awsRegion: 'eu-west-1',
      kinesis: { data, sequenceNumber, partitionKey: group },
    });
  }
  return records;
}

/** A 56-digit id like CloudWatch's, unique per (seed, n). */
export function eventId(seed: number, n: number): string {
  return `3719971756290717428835512580704${String(seed).padStart(5, '0')}${String(n).padStart(20, '0')}`;
}

/** Lambda's Kinesis semantics for a partial-batch response: resume from the lowest failed sequence number. */
export function redelivery(
  batch: readonly KinesisRecord[],
  failures: readonly { itemIdentifier: string }[],
): KinesisRecord[] {
  if (failures.length === 0) return [];
  const failed = new Set(failures.map((f) => f.itemIdentifier));
  const first = batch.findIndex((r) => failed.has(r.kinesis.sequenceNumber));
  return batch.slice(first);
}
