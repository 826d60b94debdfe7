/**
 * Parses VPC and transit-gateway flow-log records (space-separated fields in a configurable
 * order) into `aws.vpcflow` documents, mapped the way Elastic's AWS integration maps them.
 *
 * Hot path: a line is scanned once by char code into token offsets, each token is copied into
 * a slot table through the format's precomputed token → slot table, and the document is built
 * by straight-line code. No regular expression touches a record.
 */
import type { VpcFlowFields } from '@central-logging/log-schema';
import { parseFailure } from './types.ts';
import type { ParseContext, ParseFailure, ParseResult, ParsedFields } from './types.ts';
import {
  FIELD_COUNT,
  FLOW_LOG_FIELD_NAMES,
  IS_NUMERIC,
  S,
  slotOf,
  transportName,
  ENUM_VALUES,
  PREFIX,
  SHAPE,
  SHAPE_ADDRESS,
  SHAPE_PREFIX,
} from './vpc-flow-log.fields.ts';
import type { FlowLogFieldName } from './vpc-flow-log.fields.ts';
import { isoTime } from '../time.ts';
import { decodeTcpFlags } from './vpc-flow-log.tcp-flags.ts';

export type { FlowLogFieldName } from './vpc-flow-log.fields.ts';

/** A parsed flow-log format: its fields in line order, compiled to a token → slot table. */
export interface FlowLogFormat {
  /** Field names in line order, as AWS names them (`account-id`). */
  readonly fields: readonly FlowLogFieldName[];
  /** Token position → slot in the field catalogue; the parser's setter table. Do not mutate. */
  readonly slots: Uint8Array;
}

/** More tokens than any valid format has (58 distinct fields exist); bounds the scan. */
const MAX_TOKENS = 64;
/** The largest epoch second a JS Date can hold (ECMA-262 §21.4.1.22: ±8.64e15 ms). */
const MAX_EPOCH_SECONDS = 8_640_000_000_000;
/** Longest digit run parsed as a number: 15 digits stay below 2^53. */
const MAX_DIGITS = 15;
const CHAR_SPACE = 32;
const CHAR_HASH = 35;
const CHAR_DASH = 45;
const CHAR_0 = 48;
const CHAR_9 = 57;

function compile(fields: readonly FlowLogFieldName[]): FlowLogFormat {
  const slots = new Uint8Array(fields.length);
  fields.forEach((name, i) => {
    slots[i] = FLOW_LOG_FIELD_NAMES.indexOf(name);
  });
  return { fields, slots };
}

/**
 * The catalogue lists fields in version order, which is also the order of the AWS console's
 * "all fields" formats: each of them is the catalogue up to its version's last field.
 */
function fieldsThrough(last: FlowLogFieldName): readonly FlowLogFieldName[] {
  return FLOW_LOG_FIELD_NAMES.slice(0, FLOW_LOG_FIELD_NAMES.indexOf(last) + 1);
}

/** AWS's default format (version 2). */
export const DEFAULT_FLOW_LOG_FORMAT: FlowLogFormat = compile(fieldsThrough('log-status'));

/** The NAT-gateway custom format of the AWS docs examples (Beats: 6 tokens). */
const NAT_GATEWAY_FORMAT = compile([
  'instance-id',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'pkt-srcaddr',
  'pkt-dstaddr',
]);

/** The "traffic through a transit gateway" custom format of the AWS docs examples (Beats: 17). */
const TRANSIT_GATEWAY_CUSTOM_FORMAT = compile([
  'version',
  'interface-id',
  'account-id',
  'vpc-id',
  'subnet-id',
  'instance-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'tcp-flags',
  'type',
  'pkt-srcaddr',
  'pkt-dstaddr',
  'action',
  'log-status',
]);

/** The "TCP flag sequence" custom format of the AWS docs examples (Beats: 21). */
const TCP_FLAG_SEQUENCE_FORMAT = compile([
  'version',
  'vpc-id',
  'subnet-id',
  'instance-id',
  'interface-id',
  'account-id',
  'type',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'pkt-srcaddr',
  'pkt-dstaddr',
  'protocol',
  'bytes',
  'packets',
  'start',
  'end',
  'action',
  'tcp-flags',
  'log-status',
]);

/** All version 2–5 fields in the AWS console's order (Elastic: 29 tokens). */
const V5_ALL_FIELDS_FORMAT = compile(fieldsThrough('traffic-path'));

/** All version 2–8 fields in the AWS console's order (Elastic's v8 samples: 40 tokens). */
const V8_ALL_FIELDS_FORMAT = compile(fieldsThrough('reject-reason'));

/** The transit-gateway flow log's default format, all fields (Elastic's tgw samples: 36). */
const TRANSIT_GATEWAY_DEFAULT_FORMAT = compile([
  'version',
  'resource-type',
  'account-id',
  'tgw-id',
  'tgw-attachment-id',
  'tgw-src-vpc-account-id',
  'tgw-dst-vpc-account-id',
  'tgw-src-vpc-id',
  'tgw-dst-vpc-id',
  'tgw-src-subnet-id',
  'tgw-dst-subnet-id',
  'tgw-src-eni',
  'tgw-dst-eni',
  'tgw-src-az-id',
  'tgw-dst-az-id',
  'tgw-pair-attachment-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'log-status',
  'type',
  'packets-lost-no-route',
  'packets-lost-blackhole',
  'packets-lost-mtu-exceeded',
  'packets-lost-ttl-expired',
  'tcp-flags',
  'region',
  'flow-direction',
  'pkt-src-aws-service',
  'pkt-dst-aws-service',
]);

/**
 * Formats told apart by token count alone, as Beats' `input.yml` (14, 6, 17, 21) and Elastic's
 * ingest pipeline (29; 36 and 40 per its tgw and v8 samples) do when no format is configured.
 */
const FORMAT_BY_TOKEN_COUNT: ReadonlyMap<number, FlowLogFormat> = new Map(
  [
    DEFAULT_FLOW_LOG_FORMAT,
    NAT_GATEWAY_FORMAT,
    TRANSIT_GATEWAY_CUSTOM_FORMAT,
    TCP_FLAG_SEQUENCE_FORMAT,
    V5_ALL_FIELDS_FORMAT,
    TRANSIT_GATEWAY_DEFAULT_FORMAT,
    V8_ALL_FIELDS_FORMAT,
  ].map((format) => [format.fields.length, format]),
);

const KNOWN_COUNTS = [...FORMAT_BY_TOKEN_COUNT.keys()].join(', ');

/**
 * Parses a flow-log format: the AWS format string (`${version} ${vpc-id} …`) or an S3 header
 * line (`version vpc-id …`); underscore spellings (`vpc_id`) are accepted too.
 */
export function parseFlowLogFormat(text: string): FlowLogFormat | ParseFailure {
  const tokens = text.trim().split(/\s+/);
  const fields: FlowLogFieldName[] = [];
  const seen = new Set<number>();
  for (const token of tokens) {
    if (token === '') continue;
    const name = token.startsWith('${') && token.endsWith('}') ? token.slice(2, -1) : token;
    const slot = slotOf(name);
    const field = FLOW_LOG_FIELD_NAMES[slot];
    if (field === undefined) return parseFailure(`unknown flow-log field "${clip(name)}" in format`);
    if (seen.has(slot)) return parseFailure(`flow-log field "${field}" appears twice in format`);
    seen.add(slot);
    fields.push(field);
  }
  if (fields.length === 0) return parseFailure('empty flow-log format');
  return compile(fields);
}

/**
 * Fewest field names content detection takes for a header: the smallest format AWS documents
 * (the NAT gateway example) has 6, while a line of two or three of them (`start end`, `bytes
 * packets`) is as likely an application's.
 */
const MIN_DETECTED_HEADER_FIELDS = 6;

/**
 * True for a header line naming at least `minFields` flow-log fields and nothing else
 * (`version account-id interface-id …`).
 */
export function isFlowLogHeader(message: string, minFields = 2): boolean {
  const first = message.charCodeAt(0);
  // Every field name starts with a lower-case letter; records start with a digit, `-`, `i-`….
  if (!(first >= 97 && first <= 122)) return false;
  let count = 0;
  let i = 0;
  const n = message.length;
  while (i < n) {
    while (i < n && message.charCodeAt(i) <= CHAR_SPACE) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && message.charCodeAt(i) > CHAR_SPACE) i++;
    // The longest field name is 26 characters; skip the lookup for anything longer.
    if (i - start > 32 || slotOf(message.slice(start, i)) < 0) return false;
    if (++count > MAX_TOKENS) return false;
  }
  return count >= minFields;
}

/**
 * Cheap content sniff: a header line of at least 6 field names, or a record whose first token is
 * a small version number with a log-status token (OK, NODATA, SKIPDATA) and an ENI,
 * transit-gateway or 12-digit account token. Linear, allocation-free, no regular expression.
 */
export function looksLikeVpcFlowLog(message: string): boolean {
  const n = message.length;
  let i = 0;
  while (i < n && message.charCodeAt(i) === CHAR_SPACE) i++;
  const c0 = message.charCodeAt(i);
  if (!(c0 >= CHAR_0 && c0 <= CHAR_9)) return isFlowLogHeader(message, MIN_DETECTED_HEADER_FIELDS);
  let count = 0;
  let hasStatus = false;
  let hasResource = false;
  while (i < n) {
    while (i < n && message.charCodeAt(i) <= CHAR_SPACE) i++;
    if (i >= n || message.charCodeAt(i) === CHAR_HASH) break;
    const start = i;
    while (i < n && message.charCodeAt(i) > CHAR_SPACE) i++;
    const length = i - start;
    if (count === 0 && (length > 2 || !isDigits(message, start, i))) return false;
    if (++count > MAX_TOKENS) return false;
    if (!hasStatus) hasStatus = isLogStatus(message, start, length);
    if (!hasResource) {
      hasResource =
        message.startsWith('eni-', start) ||
        message.startsWith('tgw-', start) ||
        (length === 12 && isDigits(message, start, i));
    }
  }
  return count >= 6 && hasStatus && hasResource;
}

function isLogStatus(message: string, start: number, length: number): boolean {
  switch (length) {
    case 2:
      return message.startsWith('OK', start);
    case 6:
      return message.startsWith('NODATA', start);
    case 8:
      return message.startsWith('SKIPDATA', start);
    default:
      return false;
  }
}

function isDigits(message: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const c = message.charCodeAt(i);
    if (c < CHAR_0 || c > CHAR_9) return false;
  }
  return true;
}

/** The unsigned integer in message[start, end), or -1 when it is not one. */
function parseUnsigned(message: string, start: number, end: number): number {
  if (end <= start || end - start > MAX_DIGITS) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = message.charCodeAt(i);
    if (c < CHAR_0 || c > CHAR_9) return -1;
    value = value * 10 + (c - CHAR_0);
  }
  return value;
}

// Scratch tables reused by every call: parsing is synchronous and never re-entered.
const TOKEN_START = new Int32Array(MAX_TOKENS);
const TOKEN_END = new Int32Array(MAX_TOKENS);
const VALUES: (string | undefined)[] = new Array<string | undefined>(FIELD_COUNT).fill(undefined);
const NUMBERS = new Float64Array(FIELD_COUNT);

/**
 * Splits on runs of whitespace into TOKEN_START/TOKEN_END; returns the token count, or -1 past
 * MAX_TOKENS. A token starting with `#` ends the record: the AWS docs examples carry trailing
 * `# Traffic from …` comments, and no field value starts with `#`.
 */
function tokenize(message: string): number {
  const n = message.length;
  let count = 0;
  let i = 0;
  while (i < n) {
    while (i < n && message.charCodeAt(i) <= CHAR_SPACE) i++;
    if (i >= n || message.charCodeAt(i) === CHAR_HASH) break;
    if (count === MAX_TOKENS) return -1;
    TOKEN_START[count] = i;
    while (i < n && message.charCodeAt(i) > CHAR_SPACE) i++;
    TOKEN_END[count] = i;
    count++;
  }
  return count;
}

/**
 * Parses one flow-log record. Without a format, the token count picks one of the formats
 * Beats/Elastic recognize (14 default v2, 6 NAT, 17, 21, 29, 36, 40); other counts fail with a
 * reason asking for the format to be configured. `-` fields are omitted. Never throws.
 */
export function parseVpcFlowLog(message: string, _ctx: ParseContext, format?: FlowLogFormat): ParseResult {
  const count = tokenize(message);
  if (count < 0) return parseFailure(`more than ${MAX_TOKENS} fields: not a flow-log record`);
  if (count === 0) return parseFailure('empty flow-log record');
  const chosen = format ?? FORMAT_BY_TOKEN_COUNT.get(count);
  if (chosen === undefined) {
    return parseFailure(
      `${count} fields match no flow-log format recognized by field count (${KNOWN_COUNTS}); ` +
        `configure the flow log's format for this log group`,
    );
  }
  const slots = chosen.slots;
  if (count !== slots.length) {
    return parseFailure(`expected ${slots.length} fields for the flow-log format, got ${count}`);
  }

  VALUES.fill(undefined);
  for (let t = 0; t < count; t++) {
    const start = TOKEN_START[t] ?? 0;
    const end = TOKEN_END[t] ?? 0;
    // `-` marks a field that does not apply to this record.
    if (end - start === 1 && message.charCodeAt(start) === CHAR_DASH) continue;
    const slot = slots[t] ?? 0;
    if (IS_NUMERIC[slot] === 1) {
      const value = parseUnsigned(message, start, end);
      if (value < 0) return invalidNumber(message, slot, start, end);
      NUMBERS[slot] = value;
    }
    const value = message.slice(start, end);
    const shape = SHAPE[slot];
    if (shape !== 0 && !hasShape(shape, slot, value)) {
      return parseFailure(
        `flow-log field ${FLOW_LOG_FIELD_NAMES[slot] ?? 'field'} has an impossible value: "${clip(value)}"`,
      );
    }
    VALUES[slot] = value;
  }
  return build(VALUES, NUMBERS);
}

function hasShape(shape: number | undefined, slot: number, value: string): boolean {
  if (shape === SHAPE_ADDRESS) return isIpLiteral(value);
  if (shape === SHAPE_PREFIX) return value.startsWith(PREFIX[slot] ?? '');
  return ENUM_VALUES[slot]?.includes(value) ?? false;
}

function invalidNumber(message: string, slot: number, start: number, end: number): ParseFailure {
  if (isFlowLogHeader(message)) {
    return parseFailure('flow-log header line, not a record: parse it with parseFlowLogFormat');
  }
  const field = FLOW_LOG_FIELD_NAMES[slot] ?? 'field';
  return parseFailure(
    `flow-log field ${field} is not an unsigned integer: "${clip(message.slice(start, end))}"`,
  );
}

function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

/** An address goes to `.ip` only when it is one (flow logs write IPs, but never trust a line). */
function isIpLiteral(address: string): boolean {
  let separators = 0;
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i);
    if (c === 46 || c === 58) separators++;
    else if (!((c >= CHAR_0 && c <= CHAR_9) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false;
  }
  return separators >= 2 && address.length <= 45;
}

function epochMs(seconds: number): number | undefined {
  return seconds <= MAX_EPOCH_SECONDS ? seconds * 1000 : undefined;
}

/** Builds the document from the filled slots; each field is written once, absent ones omitted. */
function build(v: readonly (string | undefined)[], num: Float64Array): ParseResult {
  let startMs: number | undefined;
  let endMs: number | undefined;
  if (v[S.start] !== undefined) {
    startMs = epochMs(num[S.start] ?? 0);
    if (startMs === undefined) return parseFailure(`flow-log start ${v[S.start]} is out of range`);
  }
  if (v[S.end] !== undefined) {
    endMs = epochMs(num[S.end] ?? 0);
    if (endMs === undefined) return parseFailure(`flow-log end ${v[S.end]} is out of range`);
  }

  const action = v[S.action];
  const event: NonNullable<ParsedFields['event']> = {
    kind: 'event',
    category: ['network'],
    // ECS 8.11 (Elastic's v8 samples, its newest): REJECT adds "denied" to event.type and the
    // action is copied to event.action; its older samples carry neither. ACCEPT → "allowed" is
    // the ECS counterpart (elastic/integrations#5478), inferred as no sample shows it.
    type:
      action === 'ACCEPT'
        ? ['connection', 'allowed']
        : action === 'REJECT'
          ? ['connection', 'denied']
          : ['connection'],
  };
  const fields: ParsedFields = { event };
  if (action !== undefined) {
    event.action = action;
    if (action === 'ACCEPT') event.outcome = 'success';
    else if (action === 'REJECT') event.outcome = 'failure';
  }
  if (startMs !== undefined) event.start = isoTime(startMs);
  if (endMs !== undefined) event.end = isoTime(endMs);
  const rejectReason = v[S.rejectReason];
  if (rejectReason !== undefined) event.reason = rejectReason;

  const accountId = v[S.accountId];
  // AWS writes `unknown` for interfaces an AWS service created (VPC endpoints, load balancers):
  // like `-`, it names no account, so normalize falls back to @aws.account or the owner.
  const cloudAccountId = accountId === 'unknown' ? undefined : accountId;
  const region = v[S.region];
  const az = v[S.azId];
  const instanceId = v[S.instanceId];
  if (cloudAccountId !== undefined || region !== undefined || az !== undefined || instanceId !== undefined) {
    const cloud: NonNullable<ParsedFields['cloud']> = {};
    if (cloudAccountId !== undefined) cloud.account = { id: cloudAccountId };
    if (region !== undefined) cloud.region = region;
    if (az !== undefined) cloud.availability_zone = az;
    if (instanceId !== undefined) cloud.instance = { id: instanceId };
    fields.cloud = cloud;
  }

  // Elastic puts packets/bytes on source.* and network.*: a flow-log record counts the packets
  // sent from srcaddr to dstaddr in the window.
  const srcaddr = v[S.srcaddr];
  const srcport = v[S.srcport];
  const packets = v[S.packets];
  const bytes = v[S.bytes];
  if (srcaddr !== undefined || srcport !== undefined || packets !== undefined || bytes !== undefined) {
    const source: NonNullable<ParsedFields['source']> = {};
    if (srcaddr !== undefined) {
      source.address = srcaddr;
      if (isIpLiteral(srcaddr)) source.ip = srcaddr;
    }
    if (srcport !== undefined) source.port = num[S.srcport] ?? 0;
    if (bytes !== undefined) source.bytes = num[S.bytes] ?? 0;
    if (packets !== undefined) source.packets = num[S.packets] ?? 0;
    fields.source = source;
  }
  const dstaddr = v[S.dstaddr];
  const dstport = v[S.dstport];
  if (dstaddr !== undefined || dstport !== undefined) {
    const destination: NonNullable<ParsedFields['destination']> = {};
    if (dstaddr !== undefined) {
      destination.address = dstaddr;
      if (isIpLiteral(dstaddr)) destination.ip = dstaddr;
    }
    if (dstport !== undefined) destination.port = num[S.dstport] ?? 0;
    fields.destination = destination;
  }

  const protocol = v[S.protocol];
  const flowDirection = v[S.flowDirection];
  // Elastic derives network.type from source.ip; without one, the other address or `type` says it.
  const ipFamily = ipType(srcaddr) ?? ipType(dstaddr) ?? recordType(v[S.type]);
  const direction = flowDirection === 'ingress' || flowDirection === 'egress' ? flowDirection : undefined;
  if (
    protocol !== undefined ||
    bytes !== undefined ||
    packets !== undefined ||
    ipFamily !== undefined ||
    direction !== undefined
  ) {
    const network: NonNullable<ParsedFields['network']> = {};
    if (bytes !== undefined) network.bytes = num[S.bytes] ?? 0;
    if (packets !== undefined) network.packets = num[S.packets] ?? 0;
    if (protocol !== undefined) {
      network.iana_number = protocol;
      const transport = transportName(num[S.protocol] ?? -1);
      if (transport !== undefined) network.transport = transport;
    }
    if (ipFamily !== undefined) network.type = ipFamily;
    if (direction !== undefined) network.direction = direction;
    fields.network = network;
  }

  // ECS task fields (version 7) → orchestrator.* and service.name, as in Elastic's v8 samples
  // (it names the container-instance ARN orchestrator.resource.name and its id .resource.id).
  const clusterArn = v[S.ecsClusterArn];
  const clusterName = v[S.ecsClusterName];
  const instanceArn = v[S.ecsContainerInstanceArn];
  const containerInstanceId = v[S.ecsContainerInstanceId];
  if (
    clusterArn !== undefined ||
    clusterName !== undefined ||
    instanceArn !== undefined ||
    containerInstanceId !== undefined
  ) {
    const orchestrator: NonNullable<ParsedFields['orchestrator']> = {};
    if (clusterArn !== undefined || clusterName !== undefined) {
      orchestrator.cluster = {};
      if (clusterArn !== undefined) orchestrator.cluster.id = clusterArn;
      if (clusterName !== undefined) orchestrator.cluster.name = clusterName;
    }
    if (instanceArn !== undefined || containerInstanceId !== undefined) {
      orchestrator.resource = {};
      if (instanceArn !== undefined) orchestrator.resource.name = instanceArn;
      if (containerInstanceId !== undefined) orchestrator.resource.id = containerInstanceId;
    }
    fields.orchestrator = orchestrator;
  }
  const serviceName = v[S.ecsServiceName];
  if (serviceName !== undefined) fields.service = { name: serviceName };

  const vpcflow: VpcFlowFields = {};
  setString(vpcflow, 'version', v[S.version]);
  setString(vpcflow, 'account_id', accountId);
  setString(vpcflow, 'interface_id', v[S.interfaceId]);
  setString(vpcflow, 'action', action);
  setString(vpcflow, 'log_status', v[S.logStatus]);
  setString(vpcflow, 'instance_id', instanceId);
  setString(vpcflow, 'vpc_id', v[S.vpcId]);
  setString(vpcflow, 'subnet_id', v[S.subnetId]);
  setString(vpcflow, 'type', v[S.type]);
  setString(vpcflow, 'pkt_srcaddr', v[S.pktSrcaddr]);
  setString(vpcflow, 'pkt_dstaddr', v[S.pktDstaddr]);
  setString(vpcflow, 'pkt_src_service', v[S.pktSrcAwsService]);
  setString(vpcflow, 'pkt_dst_service', v[S.pktDstAwsService]);
  setString(vpcflow, 'traffic_path', v[S.trafficPath]);
  const tcpFlags = v[S.tcpFlags];
  if (tcpFlags !== undefined) {
    vpcflow.tcp_flags = tcpFlags;
    vpcflow.tcp_flags_array = decodeTcpFlags(num[S.tcpFlags] ?? 0);
  }
  const sublocationType = v[S.sublocationType];
  const sublocationId = v[S.sublocationId];
  if (sublocationType !== undefined || sublocationId !== undefined) {
    // Elastic's 29-field pattern writes aws.vpcflow.sublocation.type / .id.
    vpcflow.sublocation = {};
    if (sublocationType !== undefined) vpcflow.sublocation.type = sublocationType;
    if (sublocationId !== undefined) vpcflow.sublocation.id = sublocationId;
  }
  setString(vpcflow, 'ecs_container_id', v[S.ecsContainerId]);
  setString(vpcflow, 'ecs_second_container_id', v[S.ecsSecondContainerId]);
  setString(vpcflow, 'ecs_task_definition_arn', v[S.ecsTaskDefinitionArn]);
  setString(vpcflow, 'ecs_task_arn', v[S.ecsTaskArn]);
  setString(vpcflow, 'ecs_task_id', v[S.ecsTaskId]);
  setString(vpcflow, 'resource_type', v[S.resourceType]);
  setString(vpcflow, 'tgw_id', v[S.tgwId]);
  setString(vpcflow, 'tgw_attachment_id', v[S.tgwAttachmentId]);
  setString(vpcflow, 'tgw_src_vpc_account_id', v[S.tgwSrcVpcAccountId]);
  setString(vpcflow, 'tgw_dst_vpc_account_id', v[S.tgwDstVpcAccountId]);
  setString(vpcflow, 'tgw_src_vpc_id', v[S.tgwSrcVpcId]);
  setString(vpcflow, 'tgw_dst_vpc_id', v[S.tgwDstVpcId]);
  setString(vpcflow, 'tgw_src_subnet_id', v[S.tgwSrcSubnetId]);
  setString(vpcflow, 'tgw_dst_subnet_id', v[S.tgwDstSubnetId]);
  setString(vpcflow, 'tgw_src_eni', v[S.tgwSrcEni]);
  setString(vpcflow, 'tgw_dst_eni', v[S.tgwDstEni]);
  setString(vpcflow, 'tgw_src_az_id', v[S.tgwSrcAzId]);
  setString(vpcflow, 'tgw_dst_az_id', v[S.tgwDstAzId]);
  setString(vpcflow, 'tgw_pair_attachment_id', v[S.tgwPairAttachmentId]);
  if (v[S.packetsLostNoRoute] !== undefined) vpcflow.packets_lost_no_route = num[S.packetsLostNoRoute] ?? 0;
  if (v[S.packetsLostBlackhole] !== undefined)
    vpcflow.packets_lost_blackhole = num[S.packetsLostBlackhole] ?? 0;
  if (v[S.packetsLostMtuExceeded] !== undefined)
    vpcflow.packets_lost_mtu_exceeded = num[S.packetsLostMtuExceeded] ?? 0;
  if (v[S.packetsLostTtlExpired] !== undefined)
    vpcflow.packets_lost_ttl_expired = num[S.packetsLostTtlExpired] ?? 0;
  fields.aws = { vpcflow };

  return { dataset: 'aws.vpcflow', timestamp: endMs ?? startMs, fields };
}

type VpcFlowStringKey = {
  [K in keyof VpcFlowFields]-?: VpcFlowFields[K] extends string | undefined ? K : never;
}[keyof VpcFlowFields];

function setString(target: VpcFlowFields, key: VpcFlowStringKey, value: string | undefined): void {
  if (value !== undefined) target[key] = value;
}

function ipType(address: string | undefined): 'ipv4' | 'ipv6' | undefined {
  if (address === undefined) return undefined;
  if (address.includes(':')) return 'ipv6';
  if (address.includes('.')) return 'ipv4';
  return undefined;
}

function recordType(type: string | undefined): 'ipv4' | 'ipv6' | undefined {
  return type === 'IPv4' ? 'ipv4' : type === 'IPv6' ? 'ipv6' : undefined;
}
