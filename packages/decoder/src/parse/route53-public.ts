import { isIP } from 'node:net';
import { asEpochMillis } from './json-fields.ts';
import { parseFailure } from './types.ts';
import type { ParsedFields, ParseResult } from './types.ts';

/**
 * Route 53 public hosted-zone query logs, which AWS writes to `/aws/route53/<zone name>`: one
 * space-separated line per query, `1.0 2017-12-13T08:16:02.130Z Z123412341234 example.com A
 * NOERROR UDP FRA6 192.168.1.1 -` (version, time, hosted zone id, name, type, response code,
 * protocol, edge location, resolver IP, EDNS client subnet).
 * Format: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/query-logs.html#query-logs-format
 * The mapping follows Elastic's `aws.route53_public_logs` pipeline, in our one Route 53 dataset.
 * Elastic's `hosted_zone_id` and `edns_client_subnet` have no field in our schema: the log stream
 * (`<hosted zone id>/<edge location>`) names the zone, and `event.original` keeps the line.
 */

const FIELD_COUNT = 10;

/** Parses one public hosted-zone query-log line into DNS, network and source fields. */
export function parseRoute53PublicQuery(message: string): ParseResult {
  const tokens = message.trim().split(/\s+/);
  if (tokens.length !== FIELD_COUNT) {
    return parseFailure(
      `route53 query log: expected ${FIELD_COUNT} space-separated fields, got ${tokens.length}`,
    );
  }
  const [
    version = '',
    time = '',
    ,
    name = '',
    type = '',
    rcode = '',
    protocol = '',
    edge = '',
    resolver = '',
  ] = tokens;
  const timestamp = asEpochMillis(time);
  if (timestamp === undefined)
    return parseFailure('route53 query log: the second field is not an ISO 8601 time');

  const fields: ParsedFields = {
    event: {
      kind: 'event',
      category: ['network'],
      type: ['protocol'],
      outcome: rcode === 'NOERROR' ? 'success' : 'failure',
    },
    // Elastic strips the root dot of names, as for Resolver query logs.
    dns: { question: { name: name.endsWith('.') ? name.slice(0, -1) : name, type }, response_code: rcode },
    aws: { route53_resolver: { version, edge_location: edge } },
  };
  const transport = protocol.toLowerCase();
  const network: NonNullable<ParsedFields['network']> = { protocol: 'dns', transport };
  if (transport === 'udp') network.iana_number = '17';
  else if (transport === 'tcp') network.iana_number = '6';
  // The resolver that forwarded the query is what Route 53 saw as the client.
  const family = isIP(resolver);
  const source: NonNullable<ParsedFields['source']> = { address: resolver };
  if (family !== 0) {
    source.ip = resolver;
    network.type = family === 6 ? 'ipv6' : 'ipv4';
  }
  fields.network = network;
  fields.source = source;
  return { dataset: 'aws.route53_resolver', timestamp, fields };
}
