// A calibration point for the benchmark, not product code: the "naive parse-everything-then-
// stringify" decoder the issue quotes (≈ 0.3× the floor). Each message becomes a flat object
// (JSON messages parsed, default-format flow lines split, anything else kept as text) with the
// event id and log group, stringified, joined and base64-encoded, with no validation, no ECS,
// no original.
import { gunzipSync } from 'node:zlib';
import type { FirehoseTransformationEvent } from '../src/index.ts';

const FLOW_FIELDS =
  'version account_id interface_id srcaddr dstaddr srcport dstport protocol packets bytes start end action log_status'.split(
    ' ',
  );

interface Envelope {
  owner: string;
  logGroup: string;
  logEvents: Array<{ id: string; timestamp: number; message: string }>;
}

function parse(message: string): Record<string, unknown> {
  if (message.startsWith('{')) {
    try {
      return JSON.parse(message) as Record<string, unknown>;
    } catch {
      return { message };
    }
  }
  const parts = message.split(' ');
  if (parts.length !== FLOW_FIELDS.length) return { message };
  const flow: Record<string, unknown> = {};
  FLOW_FIELDS.forEach((name, i) => (flow[name] = parts[i]));
  return flow;
}

/** Transforms one invocation naively; returns the response's base64 bytes. */
export function naiveTransform(event: FirehoseTransformationEvent): number {
  let bytes = 0;
  for (const record of event.records) {
    const envelope = JSON.parse(gunzipSync(Buffer.from(record.data, 'base64')).toString('utf8')) as Envelope;
    const lines = envelope.logEvents.map((e) =>
      JSON.stringify({
        id: e.id,
        timestamp: e.timestamp,
        logGroup: envelope.logGroup,
        owner: envelope.owner,
        ...parse(e.message),
      }),
    );
    bytes += Buffer.from(lines.join('\n') + '\n').toString('base64').length;
  }
  return bytes;
}
