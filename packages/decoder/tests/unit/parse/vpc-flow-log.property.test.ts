import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isParseFailure } from '../../../src/parse/types.ts';
import type { ParseContext, ParseResult } from '../../../src/parse/types.ts';
import {
  DEFAULT_FLOW_LOG_FORMAT,
  isFlowLogHeader,
  looksLikeVpcFlowLog,
  parseFlowLogFormat,
  parseVpcFlowLog,
} from '../../../src/parse/vpc-flow-log.ts';
import type { FlowLogFormat } from '../../../src/parse/vpc-flow-log.ts';

const CTX: ParseContext = { logGroup: 'vpc-flow-logs', logStream: 'eni-all', owner: '123456789010' };
const FIXTURES = new URL('../../fixtures/vpcflow/', import.meta.url);
const SEEDS = [
  'test-extra-samples.log',
  'test-tcp-flag-sequence.log',
  'test-tgw-samples.log',
  'test-v5-all-fields.log',
  'test-v8-samples.log',
]
  .flatMap((name) => readFileSync(new URL(name, FIXTURES), 'utf8').split('\n'))
  .filter((line) => line !== '');

/** A result is either a failure with a reason or a JSON-serializable aws.vpcflow event. */
function wellFormed(result: ParseResult): boolean {
  if (isParseFailure(result)) return typeof result.failure === 'string' && result.failure.length > 0;
  JSON.stringify(result.fields);
  return (
    result.dataset === 'aws.vpcflow' && (result.timestamp === undefined || Number.isFinite(result.timestamp))
  );
}

const token = fc.oneof(
  fc.constantFrom(
    '-',
    '0',
    '6',
    '17',
    '58',
    '2',
    '19',
    'ACCEPT',
    'REJECT',
    'OK',
    'NODATA',
    'SKIPDATA',
    'IPv4',
    'IPv6',
    '#',
    '${version}',
    'version',
  ),
  fc.nat().map(String),
  fc.bigInt({ min: 0n, max: 10n ** 20n }).map(String),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
);

/** Fixture lines with tokens replaced, dropped, duplicated or glued, and spacing changed. */
const mutatedLine = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom('replace', 'drop', 'dup', 'glue', 'space'), token), {
      maxLength: 4,
    }),
  )
  .map(([seed, edits]) => {
    const tokens = seed.split(' ');
    for (const [at, kind, value] of edits) {
      const i = tokens.length === 0 ? 0 : at % tokens.length;
      if (kind === 'replace') tokens[i] = value;
      else if (kind === 'drop') tokens.splice(i, 1);
      else if (kind === 'dup') tokens.splice(i, 0, tokens[i] ?? value);
      else if (kind === 'glue') tokens[i] = `${tokens[i] ?? ''}${value}`;
      else tokens[i] = `${tokens[i] ?? ''}${' '.repeat((at % 3) + 1)}`;
    }
    return tokens.join(' ');
  });

const anyLine = fc.oneof(
  mutatedLine,
  fc.array(token, { maxLength: 70 }).map((tokens) => tokens.join(' ')),
  fc.string({ maxLength: 400 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

function mustParseFormat(text: string): FlowLogFormat {
  const format = parseFlowLogFormat(text);
  if ('failure' in format) throw new Error(format.failure);
  return format;
}

const TCP_FLAG_SEQUENCE = mustParseFormat(
  'version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status',
);

/** No format (pick by field count), the default, or a configured custom one. */
const anyFormat = fc.constantFrom<FlowLogFormat | undefined>(
  undefined,
  DEFAULT_FLOW_LOG_FORMAT,
  TCP_FLAG_SEQUENCE,
);

describe('vpc-flow-log never throws', () => {
  it('parseVpcFlowLog returns a result for 10,000 random and mutated lines', () => {
    fc.assert(
      fc.property(anyLine, anyFormat, (line, format) => {
        expect(wellFormed(parseVpcFlowLog(line, CTX, format))).toBe(true);
        expect(typeof looksLikeVpcFlowLog(line)).toBe('boolean');
        expect(typeof isFlowLogHeader(line)).toBe('boolean');
      }),
      { numRuns: 10_000 },
    );
  });

  it('parseVpcFlowLog with a configured format returns a result for mutated lines', () => {
    fc.assert(
      fc.property(mutatedLine, (line) => wellFormed(parseVpcFlowLog(line, CTX, TCP_FLAG_SEQUENCE))),
      { numRuns: 5_000 },
    );
  });

  it('parseFlowLogFormat returns a format or a failure for any text', () => {
    fc.assert(
      fc.property(
        fc.array(token, { maxLength: 70 }).map((t) => t.join(' ')),
        (text) => {
          const result = parseFlowLogFormat(text);
          return 'failure' in result
            ? result.failure.length > 0
            : result.fields.length === result.slots.length;
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('round-trips generated default-format records', () => {
    const ip = fc.oneof(fc.ipV4(), fc.ipV6());
    const port = fc.integer({ min: 0, max: 65535 });
    const count = fc.nat({ max: 2 ** 40 });
    const epoch = fc.integer({ min: 0, max: 4_102_444_800 });
    fc.assert(
      fc.property(
        ip,
        ip,
        port,
        port,
        fc.integer({ min: 0, max: 255 }),
        count,
        count,
        epoch,
        epoch,
        fc.constantFrom('ACCEPT', 'REJECT'),
        (src, dst, sport, dport, proto, packets, bytes, start, end, action) => {
          const line = `2 123456789010 eni-0a1b2c3d ${src} ${dst} ${sport} ${dport} ${proto} ${packets} ${bytes} ${start} ${end} ${action} OK`;
          const result = parseVpcFlowLog(line, CTX);
          if (isParseFailure(result)) return false;
          const f = result.fields;
          return (
            f.source?.ip === src &&
            f.destination?.ip === dst &&
            f.source.port === sport &&
            f.destination.port === dport &&
            f.network?.iana_number === String(proto) &&
            f.source.packets === packets &&
            f.source.bytes === bytes &&
            result.timestamp === end * 1000 &&
            f.event?.outcome === (action === 'ACCEPT' ? 'success' : 'failure') &&
            f.network.type === (src.includes(':') ? 'ipv6' : 'ipv4')
          );
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
