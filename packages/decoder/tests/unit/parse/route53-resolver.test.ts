import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRoute53ResolverQuery, parseRoute53ResolverQuery } from '../../../src/parse/route53-resolver.ts';
import { isParseFailure } from '../../../src/parse/types.ts';
import type { ParseContext, ParsedEvent, ParseResult } from '../../../src/parse/types.ts';
import {
  canonical,
  expectedResolvedIps,
  flatten,
  parserDeviation,
  ROUTE53_DEVIATIONS,
  ROUTE53_FIELD_MAP,
  ROUTE53_FIXTURE,
} from '../../support/agreement.ts';
import type { Flat } from '../../support/agreement.ts';
import { binaryStrings, expectResultOrFailure, forAll, forAllJson } from '../../support/never-throws.ts';

// Elastic's pipeline test pair (elastic/integrations packages/aws/data_stream/route53_resolver_logs/
// _dev/test/pipeline/test-route53.log + -expected.json), see /work/shared/fixtures/peer/MANIFEST.md.
const FIXTURES = new URL('../../fixtures/route53_resolver/', import.meta.url);
const LINES = readFileSync(new URL(ROUTE53_FIXTURE, FIXTURES), 'utf8')
  .split('\n')
  .filter((l) => l !== '');
const EXPECTED = (
  JSON.parse(readFileSync(new URL(`${ROUTE53_FIXTURE}-expected.json`, FIXTURES), 'utf8')) as {
    expected: Record<string, unknown>[];
  }
).expected;

const CTX: ParseContext = {
  logGroup: '/aws/route53resolver/query-logs',
  logStream: 'vpc-01e31a7c_0',
  owner: '999999999999',
};

function parsed(result: ParseResult): ParsedEvent {
  if (isParseFailure(result)) throw new Error(`unexpected failure: ${result.failure}`);
  return result;
}

/** Our document, flattened, with @timestamp rendered the way the pipeline renders it. */
function ours(line: string): Flat {
  const event = parsed(parseRoute53ResolverQuery(line, CTX));
  const flat = flatten(event.fields);
  if (event.timestamp !== undefined) flat.set('@timestamp', new Date(event.timestamp).toISOString());
  return flat;
}

// The fields compared, as [our field, Elastic's field] (Elastic keeps Resolver-specific fields at
// aws.vpc_id, aws.instance_id and aws.route53.firewall.*; ours live in aws.route53_resolver.*), the
// deliberate differences (excluded exactly) and Elastic's A/AAAA answers as dns.resolved_ip:
// tests/support/agreement.ts, shared with the full-pipeline agreement report.

describe('parseRoute53ResolverQuery against Elastic expected output', () => {
  it('has one expected document per line', () => {
    expect(LINES.length).toBe(34);
    expect(EXPECTED.length).toBe(LINES.length);
  });

  it('agrees on every compared field of every line', () => {
    let compared = 0;
    let agreed = 0;
    let excluded = 0;
    const disagreements: string[] = [];
    LINES.forEach((line, i) => {
      const mine = ours(line);
      const theirs = flatten(EXPECTED[i]);
      for (const [ourField, theirField] of ROUTE53_FIELD_MAP) {
        if (
          parserDeviation(
            ROUTE53_DEVIATIONS,
            ROUTE53_FIXTURE,
            i,
            ourField,
            mine.get(ourField),
            theirs.get(theirField),
            mine,
          ) !== undefined
        ) {
          excluded++;
          continue;
        }
        if (mine.get(ourField) === undefined && theirs.get(theirField) === undefined) continue; // absent on both sides
        compared++;
        if (canonical(mine.get(ourField)) === canonical(theirs.get(theirField))) agreed++;
        else
          disagreements.push(
            `line ${i + 1} ${ourField}: ours ${JSON.stringify(mine.get(ourField))} elastic ${JSON.stringify(theirs.get(theirField))}`,
          );
      }
      const resolved = expectedResolvedIps(EXPECTED[i] ?? {});
      if (resolved === undefined && mine.get('dns.resolved_ip') === undefined) return;
      compared++;
      if (canonical(mine.get('dns.resolved_ip')) === canonical(resolved)) agreed++;
      else disagreements.push(`line ${i + 1} dns.resolved_ip`);
    });
    console.info(
      `route53 resolver agreement: ${agreed}/${compared} fields over ${LINES.length} lines (${excluded} deliberately excluded)`,
    );
    expect(disagreements).toEqual([]);
    expect(agreed).toBe(compared);
  });

  it('uses the already-parsed JSON when given, without reparsing', () => {
    const line = LINES[0] ?? '';
    expect(parseRoute53ResolverQuery('not json at all', CTX, JSON.parse(line))).toEqual(
      parseRoute53ResolverQuery(line, CTX),
    );
  });
});

describe('Resolver record variants (one change from the firewall fixture line)', () => {
  const base = JSON.parse(LINES[32] ?? '{}') as Record<string, unknown>;
  const variant = (change: Record<string, unknown>): ParsedEvent =>
    parsed(parseRoute53ResolverQuery(JSON.stringify({ ...base, ...change }), CTX));

  it('maps the firewall verdict to event.action', () => {
    expect(variant({}).fields.event?.action).toBe('block');
  });
  it('maps an IPv6 source to network.type ipv6', () => {
    const event = variant({ srcaddr: '2001:db8::1' });
    expect(event.fields.network?.type).toBe('ipv6');
    expect(event.fields.source?.ip).toBe('2001:db8::1');
  });
  it('maps TCP transport to iana 6', () => {
    expect(variant({ transport: 'TCP' }).fields.network).toMatchObject({
      transport: 'tcp',
      iana_number: '6',
    });
  });
  it('keeps a resolver endpoint source id', () => {
    const event = variant({
      srcids: { resolver_endpoint: 'rslvr-in-abc', resolver_network_interface: 'rni-1' },
    });
    expect(event.fields.aws?.route53_resolver?.srcids).toEqual({
      resolver_endpoint: 'rslvr-in-abc',
      resolver_network_interface: 'rni-1',
    });
    expect(event.fields.cloud?.instance).toBeUndefined();
  });
  it('marks SERVFAIL as failure', () => {
    expect(variant({ rcode: 'SERVFAIL' }).fields.event?.outcome).toBe('failure');
  });
  it('omits the timestamp when query_timestamp is not a date', () => {
    expect(variant({ query_timestamp: 'yesterday' }).timestamp).toBeUndefined();
  });
  it('ignores a port that is not a port', () => {
    expect(variant({ srcport: '99999' }).fields.source?.port).toBeUndefined();
  });
  it('fails a record without query_name', () => {
    expect(
      isParseFailure(parseRoute53ResolverQuery(JSON.stringify({ ...base, query_name: undefined }), CTX)),
    ).toBe(true);
  });
  it('fails a message that is not JSON', () => {
    expect(isParseFailure(parseRoute53ResolverQuery('{"query_name":', CTX))).toBe(true);
  });
});

describe('isRoute53ResolverQuery', () => {
  it('accepts every fixture line and rejects other JSON', () => {
    for (const line of LINES) expect(isRoute53ResolverQuery(JSON.parse(line))).toBe(true);
    for (const other of [null, 1, 'x', [], {}, { query_name: 'a.' }, { eventVersion: '1.08' }])
      expect(isRoute53ResolverQuery(other)).toBe(false);
  });
});

describe('never throws', () => {
  const check = (result: ParseResult): void => expectResultOrFailure(result, 'aws.route53_resolver');
  it('on arbitrary strings', () => {
    forAll(binaryStrings, 10_000, (s) => check(parseRoute53ResolverQuery(s, CTX)));
  });
  it('on arbitrary JSON values', () => {
    forAllJson(fc.jsonValue(), 10_000, (text, v) => check(parseRoute53ResolverQuery(text, CTX, v)));
  });
  it('on fixture records with mutated fields', () => {
    const keys = Object.keys(JSON.parse(LINES[32] ?? '{}') as object);
    fc.assert(
      fc.property(fc.constantFrom(...LINES), fc.constantFrom(...keys), fc.jsonValue(), (line, key, value) => {
        const record = { ...(JSON.parse(line) as Record<string, unknown>), [key]: value };
        check(parseRoute53ResolverQuery(JSON.stringify(record), CTX, record));
      }),
      { numRuns: 10_000 },
    );
  });
});
