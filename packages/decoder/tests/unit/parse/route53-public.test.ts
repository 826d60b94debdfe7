import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRoute53PublicQuery } from '../../../src/parse/route53-public.ts';
import { isParseFailure } from '../../../src/parse/types.ts';
import type { ParsedEvent, ParseResult } from '../../../src/parse/types.ts';
import { binaryStrings, expectResultOrFailure, forAll } from '../../support/never-throws.ts';

// Lines of Elastic's route53_public_logs pipeline test (elastic/integrations packages/aws/
// data_stream/route53_public_logs/_dev/test/pipeline/test-route53.log), the first from the AWS docs.
const LINES = [
  '1.0 2017-12-13T08:16:02.130Z Z123412341234 example.com A NOERROR UDP FRA6 192.168.1.1 -',
  '1.0 2017-12-13T08:15:50.235Z Z123412341234 example.com AAAA NOERROR TCP IAD12 89.160.20.112 192.168.222.0/24',
  '1.0 2017-12-13T08:16:03.983Z Z123412341234 example.com ANY NOERROR UDP FRA6 2001:db8::1234 2001:db8:abcd::/48',
  '1.0 2017-12-13T08:15:50.342Z Z123412341234 bad.example.com A NXDOMAIN UDP IAD12 89.160.20.112 192.168.111.0/24',
  '1.0 2017-12-13T08:16:05.744Z Z123412341234 _spf.example.com SPF NOERROR UDP GRU1-C1 89.160.20.112 -',
];

function parsed(result: ParseResult): ParsedEvent {
  if (isParseFailure(result)) throw new Error(`unexpected failure: ${result.failure}`);
  return result;
}

describe('parseRoute53PublicQuery', () => {
  it('maps a query as Elastic does: dns.*, network.*, source.*, outcome from the response code', () => {
    const event = parsed(parseRoute53PublicQuery(LINES[0] ?? ''));
    expect(event.dataset).toBe('aws.route53_resolver');
    expect(new Date(event.timestamp ?? 0).toISOString()).toBe('2017-12-13T08:16:02.130Z');
    expect(event.fields).toEqual({
      event: { kind: 'event', category: ['network'], type: ['protocol'], outcome: 'success' },
      dns: { question: { name: 'example.com', type: 'A' }, response_code: 'NOERROR' },
      network: { protocol: 'dns', transport: 'udp', iana_number: '17', type: 'ipv4' },
      source: { address: '192.168.1.1', ip: '192.168.1.1' },
      aws: { route53_resolver: { version: '1.0', edge_location: 'FRA6' } },
    });
  });

  it('reads TCP, IPv6 resolvers, failures and every edge-location form', () => {
    const events = LINES.map((line) => parsed(parseRoute53PublicQuery(line)).fields);
    expect(events.map((f) => f.network?.iana_number)).toEqual(['17', '6', '17', '17', '17']);
    expect(events.map((f) => f.network?.type)).toEqual(['ipv4', 'ipv4', 'ipv6', 'ipv4', 'ipv4']);
    expect(events.map((f) => f.event?.outcome)).toEqual([
      'success',
      'success',
      'success',
      'failure',
      'success',
    ]);
    expect(events.map((f) => f.aws?.route53_resolver?.edge_location)).toEqual([
      'FRA6',
      'IAD12',
      'FRA6',
      'IAD12',
      'GRU1-C1',
    ]);
    expect(events[4]?.dns?.question).toEqual({ name: '_spf.example.com', type: 'SPF' });
  });

  it('refuses lines of another shape with the reason', () => {
    expect(parseRoute53PublicQuery('1.0 2017-12-13T08:16:02.130Z Z1 example.com A')).toEqual({
      failure: expect.stringContaining('expected 10'),
    });
    expect(
      parseRoute53PublicQuery('1.0 yesterday Z123412341234 example.com A NOERROR UDP FRA6 192.168.1.1 -'),
    ).toEqual({ failure: expect.stringContaining('ISO 8601') });
  });

  it('never throws (10,000 runs each)', () => {
    const check = (result: ParseResult): void => expectResultOrFailure(result, 'aws.route53_resolver');
    forAll(binaryStrings, 10_000, (s) => check(parseRoute53PublicQuery(s)));
    const tokens = fc.array(fc.oneof(fc.constantFrom(...(LINES[1] ?? '').split(' ')), binaryStrings), {
      minLength: 8,
      maxLength: 12,
    });
    forAll(tokens, 10_000, (parts) => check(parseRoute53PublicQuery(parts.join(' '))));
  });
});
