import type { DnsFields, Route53ResolverFields } from '@central-logging/log-schema';
import { asEpochMillis, asRecord, asString, parseJsonOnce } from './json-fields.ts';
import { parseFailure } from './types.ts';
import type { ParseContext, ParsedFields, ParseResult } from './types.ts';

/**
 * Route 53 Resolver query logs: one JSON object per query.
 * Field list: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs-format.html
 * The mapping follows Elastic's `aws.route53_resolver_logs` ingest pipeline (elastic/integrations
 * packages/aws/data_stream/route53_resolver_logs/elasticsearch/ingest_pipeline/default.yml) so that
 * dashboards and rules written for it read our documents the same way.
 */

/** True when `json` is a Resolver query-log record (it names a query and when it was made). */
export function isRoute53ResolverQuery(json: unknown): boolean {
  const record = asRecord(json);
  return (
    record !== undefined &&
    typeof record['query_name'] === 'string' &&
    typeof record['query_timestamp'] === 'string'
  );
}

/** Parses one Resolver query-log record into DNS, network and source fields. */
export function parseRoute53ResolverQuery(message: string, ctx: ParseContext, json?: unknown): ParseResult {
  // ctx is unused: the record carries its own account and region.
  const parsed = parseJsonOnce(message, json);
  if (!parsed.ok) return parseFailure('route53 resolver: message is not JSON');
  const record = asRecord(parsed.value);
  if (record === undefined || !isRoute53ResolverQuery(record)) {
    return parseFailure('route53 resolver: not a query-log record (query_name, query_timestamp)');
  }

  const fields: ParsedFields = {};
  const timestamp = asEpochMillis(record['query_timestamp']);

  // Elastic strips the trailing root dot of names (gsub `\.$`), in the question and the answers.
  const questionName = stripRootDot(record['query_name'] as string);
  const queryType = asString(record['query_type']);
  const queryClass = asString(record['query_class']);
  const rcode = asString(record['rcode']);

  const question: NonNullable<DnsFields['question']> = { name: questionName };
  if (queryType !== undefined) question.type = queryType;
  if (queryClass !== undefined) question.class = queryClass;
  const dns: DnsFields = { question };
  if (rcode !== undefined) dns.response_code = rcode;
  const answers = record['answers'];
  if (Array.isArray(answers) && answers.length > 0) {
    const mapped: NonNullable<DnsFields['answers']> = [];
    let resolved: string[] | undefined;
    for (const item of answers) {
      const answer = asRecord(item);
      if (answer === undefined) continue;
      const out: NonNullable<DnsFields['answers']>[number] = {};
      const cls = asString(answer['Class']);
      const type = asString(answer['Type']);
      const rdata = asString(answer['Rdata']);
      if (cls !== undefined) out.class = cls;
      if (type !== undefined) out.type = type;
      if (rdata !== undefined) {
        out.data = stripRootDot(rdata);
        if (type === 'CNAME') out.name = out.data;
        // ECS dns.resolved_ip: the addresses of A/AAAA answers (Elastic puts them in related.ip).
        if (type === 'A' || type === 'AAAA') (resolved ??= []).push(out.data);
      }
      if (cls !== undefined || type !== undefined || rdata !== undefined) mapped.push(out);
    }
    if (mapped.length > 0) dns.answers = mapped;
    if (resolved !== undefined) dns.resolved_ip = resolved;
  }
  fields.dns = dns;

  const transport = asString(record['transport']);
  const srcaddr = asString(record['srcaddr']);
  const network: NonNullable<ParsedFields['network']> = { protocol: 'dns' };
  if (transport !== undefined) {
    network.transport = transport.toLowerCase();
    if (network.transport === 'udp') network.iana_number = '17';
    else if (network.transport === 'tcp') network.iana_number = '6';
  }
  if (srcaddr !== undefined) {
    if (srcaddr.includes(':')) network.type = 'ipv6';
    else if (srcaddr.includes('.')) network.type = 'ipv4';
  }
  fields.network = network;

  if (srcaddr !== undefined) {
    const source: NonNullable<ParsedFields['source']> = { address: srcaddr };
    if (looksLikeIp(srcaddr)) source.ip = srcaddr;
    const port = toPort(record['srcport']);
    if (port !== undefined) source.port = port;
    fields.source = source;
  }

  const cloud: NonNullable<ParsedFields['cloud']> = {};
  const accountId = asString(record['account_id']);
  const region = asString(record['region']);
  if (accountId !== undefined) cloud.account = { id: accountId };
  if (region !== undefined) cloud.region = region;

  const aws: Route53ResolverFields = {};
  const version = asString(record['version']);
  const vpcId = asString(record['vpc_id']);
  if (version !== undefined) aws.version = version;
  if (vpcId !== undefined) aws.vpc_id = vpcId;
  if (queryClass !== undefined) aws.query_class = queryClass;
  if (rcode !== undefined) aws.rcode = rcode;
  if (transport !== undefined) aws.transport = transport;
  const srcids = asRecord(record['srcids']);
  if (srcids !== undefined) {
    const instance = asString(srcids['instance']);
    const endpoint = asString(srcids['resolver_endpoint']);
    const eni = asString(srcids['resolver_network_interface']);
    if (instance !== undefined || endpoint !== undefined || eni !== undefined) {
      aws.srcids = {};
      if (instance !== undefined) {
        aws.srcids.instance = instance;
        cloud.instance = { id: instance };
      }
      if (endpoint !== undefined) aws.srcids.resolver_endpoint = endpoint;
      if (eni !== undefined) aws.srcids.resolver_network_interface = eni;
    }
  }
  const ruleAction = asString(record['firewall_rule_action']);
  const ruleGroup = asString(record['firewall_rule_group_id']);
  const domainList = asString(record['firewall_domain_list_id']);
  if (ruleAction !== undefined || ruleGroup !== undefined || domainList !== undefined) {
    aws.firewall = {};
    if (ruleAction !== undefined) aws.firewall.rule_action = ruleAction;
    if (ruleGroup !== undefined) aws.firewall.rule_group_id = ruleGroup;
    if (domainList !== undefined) aws.firewall.domain_list_id = domainList;
  }
  const edge = asString(record['edge_location']);
  const resolverIp = asString(record['resolver_ip']);
  if (edge !== undefined) aws.edge_location = edge;
  if (resolverIp !== undefined) aws.resolver_ip = resolverIp;

  fields.cloud = cloud;
  fields.aws = { route53_resolver: aws };
  fields.event = {
    kind: 'event',
    category: ['network'],
    type: ['protocol'],
    // As Elastic: the query succeeded when the resolver answered NOERROR. A DNS Firewall verdict
    // (BLOCK/ALERT/ALLOW) is what the rule did, so it is the action, not the outcome.
    outcome: rcode === 'NOERROR' ? 'success' : 'failure',
  };
  if (ruleAction !== undefined) fields.event.action = ruleAction.toLowerCase();

  return { dataset: 'aws.route53_resolver', timestamp, fields };
}

function stripRootDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

// A cheap shape check (the source writes addresses, not names); no regex, no allocation.
function looksLikeIp(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const isHex = (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
    if (!isHex && c !== 46 && c !== 58) return false;
  }
  return value.length > 0 && (value.includes('.') || value.includes(':'));
}

function toPort(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d{1,5}$/.test(value)
        ? Number(value)
        : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}
