// Builders for the envelopes AWS wraps around a subscription payload, from a base message.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type {
  DataMessage,
  FirehoseTransformationEvent,
  KinesisStreamEvent,
  SubscriptionLogEvent,
} from '../../src/index.ts';

/** Reads a JSON fixture relative to tests/fixtures. */
export function fixture<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8')) as T;
}

/** Reads a text fixture relative to tests/fixtures. */
export function fixtureText(path: string): string {
  return readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
}

let nextId = 37199717562907174288355125807040114704837640994633613312n;

/** A DATA_MESSAGE of `messages` in `logGroup`, with CloudWatch-shaped 56-digit ids. */
export function dataMessage(
  logGroup: string,
  messages: readonly string[],
  overrides: Partial<Omit<DataMessage, 'logEvents'>> & { extractedFields?: Record<string, string> } = {},
): DataMessage {
  const { extractedFields, ...rest } = overrides;
  const logEvents: SubscriptionLogEvent[] = messages.map((message, i) => ({
    id: String(nextId++),
    timestamp: 1_700_000_000_000 + i,
    message,
    ...(extractedFields === undefined ? {} : { extractedFields }),
  }));
  return {
    messageType: 'DATA_MESSAGE',
    owner: '111122223333',
    logGroup,
    logStream: 'stream-1',
    subscriptionFilters: ['central-logging'],
    ...rest,
    logEvents,
  };
}

/** The message CloudWatch Logs sends once when a subscription is created, to check the destination. */
export function controlMessage(): unknown {
  return {
    messageType: 'CONTROL_MESSAGE',
    owner: 'CloudwatchLogs',
    logGroup: '',
    logStream: '',
    subscriptionFilters: [],
    logEvents: [
      {
        id: '',
        timestamp: 0,
        message: 'CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.',
      },
    ],
  };
}

/** base64(gzip(JSON)), as CloudWatch Logs writes to Kinesis. */
export function encodePayload(message: unknown): string {
  return gzipSync(JSON.stringify(message)).toString('base64');
}

/** A Kinesis Data Streams Lambda event carrying `payloads` (base64 data). */
export function kinesisEvent(payloads: readonly string[]): KinesisStreamEvent {
  return {
    Records: payloads.map((data, i) => ({
      eventID: `shardId-000000000000:4955${i}`,
      eventSourceARN: 'arn:aws:kinesis:eu-west-1:999988887777:stream/central-logs',
      awsRegion: 'eu-west-1',
      kinesis: { data, sequenceNumber: `4955${i}`, partitionKey: 'pk' },
    })),
  };
}

/** A Firehose transformation event carrying `payloads` (base64 data). */
export function firehoseEvent(payloads: readonly string[]): FirehoseTransformationEvent {
  return {
    invocationId: 'invocation-1',
    deliveryStreamArn: 'arn:aws:firehose:eu-west-1:999988887777:deliverystream/central-archive',
    region: 'eu-west-1',
    records: payloads.map((data, i) => ({
      recordId: `record-${i}`,
      approximateArrivalTimestamp: 1_700_000_000_000,
      data,
    })),
  };
}
