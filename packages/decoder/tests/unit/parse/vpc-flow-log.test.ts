import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { isParseFailure } from '../../../src/parse/types.ts';
import type { ParseContext, ParseResult, ParsedEvent } from '../../../src/parse/types.ts';
import {
  DEFAULT_FLOW_LOG_FORMAT,
  isFlowLogHeader,
  looksLikeVpcFlowLog,
  parseFlowLogFormat,
  parseVpcFlowLog,
} from '../../../src/parse/vpc-flow-log.ts';
import type { FlowLogFormat } from '../../../src/parse/vpc-flow-log.ts';
import {
  asArray,
  flatten,
  parserDeviation,
  sameValue,
  TCP_FLAG_SEQUENCE_HEADER,
  TGW_DEFAULT,
  V5_ALL_FIELDS,
  V8_ALL_FIELDS,
} from '../../support/agreement.ts';
import {
  VPCFLOW_COMPARED_FIELDS,
  VPCFLOW_COMPARED_PREFIXES,
  VPCFLOW_DEVIATIONS,
} from '../../support/agreement.ts';
import type { Flat } from '../../support/agreement.ts';

const FIXTURES = new URL('../../fixtures/vpcflow/', import.meta.url);
const CTX: ParseContext = {
  logGroup: 'vpc-flow-logs',
  logStream: 'eni-1235b8ca123456789-all',
  owner: '123456789010',
};

function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

function lines(name: string): string[] {
  return fixture(name)
    .split('\n')
    .filter((line) => line !== '');
}

function format(text: string): FlowLogFormat {
  const parsed = parseFlowLogFormat(text);
  if ('failure' in parsed) throw new Error(parsed.failure);
  return parsed;
}

function parsed(result: ParseResult): ParsedEvent {
  if (isParseFailure(result)) throw new Error(`unexpected failure: ${result.failure}`);
  return result;
}

/** Our document as the comparison sees it: the parsed fields plus @timestamp from `timestamp`. */
function ours(event: ParsedEvent): Flat {
  const flat = flatten(event.fields);
  if (event.timestamp !== undefined) flat.set('@timestamp', new Date(event.timestamp).toISOString());
  return flat;
}

// The format strings of the fixture sets, the compared fields and prefixes, and where we differ
// from Elastic on purpose (deviations for the samples that predate Elastic's v8 ones name them in
// `where`): tests/support/agreement.ts, shared with the full-pipeline agreement report.

interface ElasticCase {
  readonly file: string;
  readonly format: FlowLogFormat;
  /** test-with-message-field.log wraps the line in {"message": …}, which Elastic unwraps. */
  readonly wrapped?: boolean;
}

const ELASTIC_CASES: readonly ElasticCase[] = [
  { file: 'test-extra-samples.log', format: DEFAULT_FLOW_LOG_FORMAT },
  { file: 'test-with-message-field.log', format: DEFAULT_FLOW_LOG_FORMAT, wrapped: true },
  { file: 'test-tcp-flag-sequence.log', format: format(TCP_FLAG_SEQUENCE_HEADER) },
  { file: 'test-v5-all-fields.log', format: format(V5_ALL_FIELDS) },
  { file: 'test-tgw-samples.log', format: format(TGW_DEFAULT) },
  { file: 'test-v8-samples.log', format: format(V8_ALL_FIELDS) },
];

function normalizeExpected(field: string, value: unknown): unknown {
  return field === 'event.category' || field === 'event.type' ? asArray(value) : value;
}

const agreement: { file: string; compared: number; agreed: number; deviations: number }[] = [];
const deviationHits = new Map<string, number>();

afterAll(() => {
  console.log(
    [
      'VPC flow-log agreement with Elastic expected outputs (fields compared / agreed / documented deviations):',
    ]
      .concat(agreement.map((a) => `  ${a.file}: ${a.compared} / ${a.agreed} / ${a.deviations}`))
      .join('\n'),
  );
});

describe("parseVpcFlowLog agrees with Elastic's AWS integration", () => {
  for (const c of ELASTIC_CASES) {
    it(`${c.file}: every line, field by field`, () => {
      const expectedDocs = (JSON.parse(fixture(`${c.file}-expected.json`)) as { expected: unknown[] })
        .expected;
      const inputs = lines(c.file).map((line) =>
        c.wrapped === true ? (JSON.parse(line) as { message: string }).message : line,
      );
      expect(inputs).toHaveLength(expectedDocs.length);

      let compared = 0;
      let agreed = 0;
      let deviations = 0;
      const mismatches: string[] = [];
      inputs.forEach((line, i) => {
        const result = parsed(parseVpcFlowLog(line, CTX, c.format));
        // The same line is recognized by its field count alone.
        expect(parseVpcFlowLog(line, CTX)).toEqual(result);
        const actual = ours(result);
        const expected = flatten(expectedDocs[i]);
        const fields = new Set(VPCFLOW_COMPARED_FIELDS);
        for (const key of [...expected.keys(), ...actual.keys()]) {
          if (VPCFLOW_COMPARED_PREFIXES.some((prefix) => key.startsWith(prefix))) fields.add(key);
        }
        for (const field of fields) {
          const want = normalizeExpected(field, expected.get(field));
          const got = actual.get(field);
          if (want === undefined && got === undefined) continue;
          compared++;
          if (sameValue(field, got, want)) {
            agreed++;
            continue;
          }
          const deviation = parserDeviation(VPCFLOW_DEVIATIONS, c.file, i, field, got, want, actual);
          if (deviation !== undefined) {
            deviations++;
            deviationHits.set(deviation.why, (deviationHits.get(deviation.why) ?? 0) + 1);
            continue;
          }
          mismatches.push(
            `line ${i + 1} ${field}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`,
          );
        }
      });
      agreement.push({ file: c.file, compared, agreed, deviations });
      expect(mismatches).toEqual([]);
      expect(agreed + deviations).toBe(compared);
    });
  }

  // A rule that never fires fails the suite, so the list cannot go stale. Hits are counted by
  // reason: the cloud.region and cloud.availability_zone rules share one, and either firing counts.
  it('uses every documented deviation', () => {
    for (const d of VPCFLOW_DEVIATIONS) expect(deviationHits.get(d.why) ?? 0, d.why).toBeGreaterThan(0);
  });
});

interface VrlCases {
  aws_docs_examples_parse_ok: { format: string | null; lines: string[] }[];
  expected_cases: {
    origin: string;
    input: string;
    format: string | null;
    expected: Record<string, unknown>;
  }[];
}
const VRL = JSON.parse(fixture('vrl_parse_aws_vpc_flow_log_cases.json')) as VrlCases;

const isoSeconds = (v: unknown): unknown => (typeof v === 'number' ? new Date(v * 1000).toISOString() : v);
const asString = (v: unknown): unknown => (typeof v === 'number' ? String(v) : v);
const same = (v: unknown): unknown => v;

/** Where each VRL output key lands in our document, and how its value is spelled there. */
const VRL_PATHS: Record<string, readonly [string, (v: unknown) => unknown]> = {
  version: ['aws.vpcflow.version', asString],
  account_id: ['aws.vpcflow.account_id', same],
  interface_id: ['aws.vpcflow.interface_id', same],
  srcaddr: ['source.address', same],
  dstaddr: ['destination.address', same],
  srcport: ['source.port', same],
  dstport: ['destination.port', same],
  protocol: ['network.iana_number', asString],
  packets: ['source.packets', same],
  bytes: ['source.bytes', same],
  start: ['event.start', isoSeconds],
  end: ['event.end', isoSeconds],
  action: ['aws.vpcflow.action', same],
  log_status: ['aws.vpcflow.log_status', same],
  instance_id: ['aws.vpcflow.instance_id', same],
  vpc_id: ['aws.vpcflow.vpc_id', same],
  subnet_id: ['aws.vpcflow.subnet_id', same],
  type: ['aws.vpcflow.type', same],
  pkt_srcaddr: ['aws.vpcflow.pkt_srcaddr', same],
  pkt_dstaddr: ['aws.vpcflow.pkt_dstaddr', same],
  tcp_flags: ['aws.vpcflow.tcp_flags', asString],
  region: ['cloud.region', same],
  az_id: ['cloud.availability_zone', same],
  sublocation_type: ['aws.vpcflow.sublocation.type', same],
  sublocation_id: ['aws.vpcflow.sublocation.id', same],
  pkt_src_aws_service: ['aws.vpcflow.pkt_src_service', same],
  pkt_dst_aws_service: ['aws.vpcflow.pkt_dst_service', same],
  flow_direction: ['network.direction', same],
  traffic_path: ['aws.vpcflow.traffic_path', asString],
};

describe('parseVpcFlowLog on Vector VRL cases (AWS docs examples)', () => {
  const docLines = VRL.aws_docs_examples_parse_ok.flatMap((group) =>
    group.lines.map((line) => ({ line, format: group.format })),
  );

  it('parses all 27 AWS docs lines with their formats', () => {
    expect(docLines).toHaveLength(27);
    const failures = docLines
      .map(({ line, format: text }) => ({
        line,
        result: parseVpcFlowLog(line, CTX, text === null ? undefined : format(text)),
      }))
      .filter(({ result }) => isParseFailure(result));
    expect(failures).toEqual([]);
  });

  it('agrees with the 5 expected objects on every value', () => {
    expect(VRL.expected_cases).toHaveLength(5);
    for (const c of VRL.expected_cases) {
      const actual = ours(
        parsed(parseVpcFlowLog(c.input, CTX, c.format === null ? undefined : format(c.format))),
      );
      for (const [key, value] of Object.entries(c.expected)) {
        const path = VRL_PATHS[key];
        expect(path, `VRL key ${key} has a home`).toBeDefined();
        if (path === undefined) continue;
        // VRL writes null for "-"; we omit the field.
        expect(actual.get(path[0]), `${c.origin}: ${key}`).toEqual(
          value === null ? undefined : path[1](value),
        );
      }
    }
  });
});

describe('flow-log formats', () => {
  it('reads an S3 header line, then parses records in that (non-default) order', () => {
    // Vector's v5 example orders 29 fields unlike the console's "all fields", so the field count
    // alone would pick the wrong format: the header is what makes it parse.
    const c = VRL.expected_cases.find((x) => x.origin.includes('v5 fields'));
    expect(c?.format).toBeTruthy();
    const header = (c?.format ?? '').replaceAll('_', '-');
    expect(isFlowLogHeader(header)).toBe(true);
    const fmt = format(header);
    const event = ours(parsed(parseVpcFlowLog(c?.input ?? '', CTX, fmt)));
    expect(event.get('cloud.region')).toBe('ap-southeast-2');
    expect(event.get('network.direction')).toBe('ingress');
    expect(event.get('aws.vpcflow.tcp_flags_array')).toEqual(['fin', 'syn', 'ack']);
    expect(parseVpcFlowLog(header, CTX, fmt)).toEqual({ failure: expect.stringContaining('header') });
  });

  it('accepts the ${field} format string and the header line alike', () => {
    const fromHeader = format(TCP_FLAG_SEQUENCE_HEADER);
    const fromFormatString = format(TCP_FLAG_SEQUENCE_HEADER.replace(/\S+/g, (name) => `\${${name}}`));
    expect(fromFormatString).toEqual(fromHeader);
    expect(fromHeader.fields).toHaveLength(21);
  });

  it('names the unknown field of a bad format', () => {
    expect(parseFlowLogFormat('${version} ${account-id} ${bogus-field}')).toEqual({
      failure: expect.stringContaining('bogus-field'),
    });
    expect(parseFlowLogFormat('version ${srcaddr')).toEqual({
      failure: expect.stringContaining('${srcaddr'),
    });
    expect(parseFlowLogFormat('version version')).toEqual({ failure: expect.stringContaining('twice') });
    expect(parseFlowLogFormat('   ')).toEqual({ failure: expect.stringContaining('empty') });
  });

  it('tells header lines from records', () => {
    expect(isFlowLogHeader(TCP_FLAG_SEQUENCE_HEADER)).toBe(true);
    expect(isFlowLogHeader('instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr')).toBe(true);
    for (const file of ELASTIC_CASES.map((c) => c.file)) {
      for (const line of lines(file)) expect(isFlowLogHeader(line), line).toBe(false);
    }
    expect(isFlowLogHeader('version')).toBe(false);
    expect(isFlowLogHeader('version account-id hello')).toBe(false);
  });

  it('asks for the format when the field count is unknown', () => {
    const line = lines('test-extra-samples.log')[0] ?? '';
    expect(parseVpcFlowLog(`${line} extra`, CTX)).toEqual({ failure: expect.stringContaining('configure') });
    expect(parseVpcFlowLog(`${line} extra`, CTX, DEFAULT_FLOW_LOG_FORMAT)).toEqual({
      failure: expect.stringContaining('expected 14 fields'),
    });
  });
});

describe('parseVpcFlowLog records', () => {
  const extra = lines('test-extra-samples.log');
  const [ipv6 = '', nodata = '', skipdata = '', accept = '', reject = ''] = extra;

  it('keeps NODATA and SKIPDATA records without inventing network fields', () => {
    for (const line of [nodata, skipdata]) {
      const event = parsed(parseVpcFlowLog(line, CTX));
      expect(event.fields.source).toBeUndefined();
      expect(event.fields.destination).toBeUndefined();
      expect(event.fields.network).toBeUndefined();
      expect(event.fields.event?.outcome).toBeUndefined();
      expect(event.fields.aws?.vpcflow?.log_status).toBe(line.endsWith('NODATA') ? 'NODATA' : 'SKIPDATA');
      expect(JSON.stringify(event.fields)).not.toContain('"-"');
      expect(event.timestamp).toBe(1431280934 * 1000);
    }
  });

  it('types IPv6 flows', () => {
    const event = parsed(parseVpcFlowLog(ipv6, CTX));
    expect(event.fields.network?.type).toBe('ipv6');
    expect(event.fields.source?.ip).toBe(ipv6.split(' ')[3]);
  });

  it('tolerates runs of spaces and tabs between fields', () => {
    const base = parseVpcFlowLog(accept, CTX);
    expect(parseVpcFlowLog(accept.replaceAll(' ', '  '), CTX)).toEqual(base);
    expect(parseVpcFlowLog(`  ${accept.replace(' ', '\t')}\r\n`, CTX)).toEqual(base);
  });

  it('ignores a trailing #comment, as in the AWS docs examples', () => {
    const nat = VRL.aws_docs_examples_parse_ok.find((g) => g.format?.startsWith('instance_id'));
    const line = nat?.lines[0] ?? '';
    const base = parsed(parseVpcFlowLog(line, CTX));
    expect(base.fields.aws?.vpcflow?.pkt_dstaddr).toBe('203.0.113.5');
    expect(
      parseVpcFlowLog(`${line} # Traffic from the source instance to host on the internet`, CTX),
    ).toEqual(base);
  });

  it('falls back to flow start for the timestamp, and to none', () => {
    const noEnd = accept
      .split(' ')
      .map((token, i) => (i === 11 ? '-' : token))
      .join(' ');
    expect(parsed(parseVpcFlowLog(noEnd, CTX)).timestamp).toBe(1418530010 * 1000);
    const neither = noEnd
      .split(' ')
      .map((token, i) => (i === 10 ? '-' : token))
      .join(' ');
    expect(parsed(parseVpcFlowLog(neither, CTX)).timestamp).toBeUndefined();
  });

  it('fails clearly on garbage and on non-numeric numbers', () => {
    expect(isParseFailure(parseVpcFlowLog('hello world', CTX))).toBe(true);
    expect(isParseFailure(parseVpcFlowLog('', CTX))).toBe(true);
    expect(parseVpcFlowLog(reject.replace(' 3389 ', ' ssh '), CTX)).toEqual({
      failure: expect.stringContaining('dstport'),
    });
    expect(parseVpcFlowLog(reject.replace('1418530070', '99999999999999'), CTX)).toEqual({
      failure: expect.stringContaining('out of range'),
    });
  });
});

describe('looksLikeVpcFlowLog', () => {
  it('recognizes every fixture record with a version field, and header lines', () => {
    for (const c of ELASTIC_CASES.filter((x) => x.wrapped !== true)) {
      for (const line of lines(c.file)) expect(looksLikeVpcFlowLog(line), line).toBe(true);
    }
    for (const group of VRL.aws_docs_examples_parse_ok.filter(
      (g) => g.format?.startsWith('version') ?? true,
    )) {
      for (const line of group.lines) expect(looksLikeVpcFlowLog(line), line).toBe(true);
    }
    expect(looksLikeVpcFlowLog(TCP_FLAG_SEQUENCE_HEADER)).toBe(true);
    expect(looksLikeVpcFlowLog('instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr')).toBe(
      true,
    );
  });

  it('takes a header only when it names at least 6 fields: `start end` may be anyone’s text', () => {
    for (const line of ['start end', 'bytes packets', 'start end bytes packets action']) {
      expect(isFlowLogHeader(line), line).toBe(true);
      expect(looksLikeVpcFlowLog(line), line).toBe(false);
    }
  });

  it('rejects other AWS log lines', () => {
    for (const line of [
      '',
      '{"message":"2 428961148399 eni-0e0bf7be352692297 - - - - - - - 1671029698 1671029728 - NODATA"}',
      'START RequestId: 6b6c8d4c-1f1d-4f4b-9a8e-1c0b1d1e1f10 Version: $LATEST',
      'REPORT RequestId: 6b6c8d4c Duration: 2.06 ms Billed Duration: 3 ms Memory Size: 128 MB Max Memory Used: 64 MB',
      '2024-01-01T00:00:00.000Z 6b6c8d4c INFO hello world OK',
      '1 2 3 4 5 6 7',
      '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326',
    ]) {
      expect(looksLikeVpcFlowLog(line), line).toBe(false);
    }
  });
});
