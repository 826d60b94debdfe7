// A calibration point for the benchmark, not product code: the cheapest design that still parses
// every message into a per-event document, to bound what any decoder of the kind can reach.
// It is generous in every direction the product cannot be:
// - JSON messages (CloudTrail, containers) are parsed once for a dozen ECS fields and then spliced
//   into the line as raw JSON, never re-serialized and never escaped as `event.original`;
// - text messages (flow logs, Lambda lines) are split on their separator, with no format handling,
//   no validation and no fallback;
// - the output is plain NDJSON (no gzip), so the response limit is not respected.
// If this reaches less than 0.5× the floor, no design that writes documents per event reaches it.
import { gunzipSync } from 'node:zlib';
import type { FirehoseTransformationEvent } from '../src/index.ts';

interface Envelope {
  owner: string;
  logGroup: string;
  logStream: string;
  logEvents: Array<{ id: string; timestamp: number; message: string }>;
}

// The corpus's JSON messages, read loosely: only the fields the lean documents copy.
interface Trail {
  eventTime?: string;
  eventName?: string;
  eventSource?: string;
  errorCode?: string;
  recipientAccountId?: string;
  awsRegion?: string;
  sourceIPAddress?: string;
  userAgent?: string;
  userIdentity?: { userName?: string; principalId?: string };
}
interface Shipped {
  time?: string;
  log?: string;
  kubernetes?: {
    namespace_name?: string;
    pod_name?: string;
    docker_id?: string;
    container_name?: string;
    host?: string;
  };
}

const iso = (epochSeconds: string | undefined) => new Date(Number(epochSeconds) * 1000).toISOString();

/** One lean line: the ECS fields, then `"aws":{<dataset>:<raw or parsed>,"cloudwatch":…}` spliced in. */
function leanLine(ecs: object, dataset: string, awsValue: string, cloudwatch: string): string {
  const head = JSON.stringify(ecs);
  return `${head.slice(0, -1)},"aws":{"${dataset}":${awsValue},"cloudwatch":${cloudwatch}}}`;
}

function line(dataset: string, id: string, message: string, cloudwatch: string): string {
  switch (dataset) {
    case 'cloudtrail': {
      const t = JSON.parse(message) as Trail;
      const ecs = {
        '@timestamp': t.eventTime,
        event: {
          id,
          dataset: 'aws.cloudtrail',
          action: t.eventName,
          provider: t.eventSource,
          outcome: t.errorCode === undefined ? 'success' : 'failure',
        },
        cloud: { provider: 'aws', account: { id: t.recipientAccountId }, region: t.awsRegion },
        source: { address: t.sourceIPAddress, ip: t.sourceIPAddress },
        user_agent: { original: t.userAgent },
        user: { name: t.userIdentity?.userName, id: t.userIdentity?.principalId },
      };
      return leanLine(ecs, 'cloudtrail', message, cloudwatch);
    }
    case 'container': {
      const c = JSON.parse(message) as Shipped;
      const k = c.kubernetes ?? {};
      const ecs = {
        '@timestamp': c.time,
        event: { id, dataset: 'aws.container' },
        message: c.log,
        orchestrator: {
          type: 'kubernetes',
          namespace: k.namespace_name,
          resource: { type: 'pod', name: k.pod_name },
        },
        container: { id: k.docker_id, name: k.container_name },
        host: { name: k.host },
      };
      return leanLine(ecs, 'container', message, cloudwatch);
    }
    case 'vpcflow': {
      const p = message.split(' ');
      const bytes = Number(p[9]);
      const packets = Number(p[8]);
      const ecs = {
        '@timestamp': iso(p[11]),
        event: {
          id,
          dataset: 'aws.vpcflow',
          original: message,
          action: p[12],
          start: iso(p[10]),
          end: iso(p[11]),
        },
        source: { address: p[3], ip: p[3], port: Number(p[5]), bytes, packets },
        destination: { address: p[4], ip: p[4], port: Number(p[6]) },
        network: { bytes, packets, iana_number: p[7] },
        cloud: { provider: 'aws', account: { id: p[1] } },
      };
      return leanLine(ecs, 'vpcflow', JSON.stringify({ interface_id: p[2], log_status: p[13] }), cloudwatch);
    }
    default: {
      const p = message.split('\t');
      const ecs = {
        '@timestamp': p[0],
        event: { id, dataset: 'aws.lambda', original: message },
        message: p[3],
        log: { level: p[2] },
      };
      return leanLine(ecs, 'lambda', JSON.stringify({ request_id: p[1] }), cloudwatch);
    }
  }
}

function datasetOf(logGroup: string): string {
  if (logGroup.startsWith('/vpc/')) return 'vpcflow';
  if (logGroup.includes('cloudtrail')) return 'cloudtrail';
  if (logGroup.startsWith('/aws/lambda/')) return 'lambda';
  return 'container';
}

/** Transforms one invocation leanly; returns the response's base64 bytes. */
export function leanTransform(event: FirehoseTransformationEvent): number {
  let bytes = 0;
  for (const record of event.records) {
    const envelope = JSON.parse(gunzipSync(Buffer.from(record.data, 'base64')).toString('utf8')) as Envelope;
    const dataset = datasetOf(envelope.logGroup);
    const cloudwatch = JSON.stringify({
      log_group: envelope.logGroup,
      log_stream: envelope.logStream,
      owner: envelope.owner,
    });
    const lines = envelope.logEvents.map((e) => line(dataset, e.id, e.message, cloudwatch));
    bytes += Buffer.from(lines.join('\n') + '\n').toString('base64').length;
  }
  return bytes;
}
