/**
 * The catalogue of flow-log fields: every VPC flow-log field of versions 2–8 and every
 * transit-gateway flow-log field, as AWS names them in a format string
 * (https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html,
 * https://docs.aws.amazon.com/vpc/latest/tgw/tgw-flow-logs.html#flow-log-records).
 * A parsed line lands in a slot array indexed by a field's position in this list.
 */

export const FLOW_LOG_FIELD_NAMES = [
  // version 2 (the default format)
  'version',
  'account-id',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
  // version 3
  'vpc-id',
  'subnet-id',
  'instance-id',
  'tcp-flags',
  'type',
  'pkt-srcaddr',
  'pkt-dstaddr',
  // version 4
  'region',
  'az-id',
  'sublocation-type',
  'sublocation-id',
  // version 5
  'pkt-src-aws-service',
  'pkt-dst-aws-service',
  'flow-direction',
  'traffic-path',
  // version 7
  'ecs-cluster-arn',
  'ecs-cluster-name',
  'ecs-container-instance-arn',
  'ecs-container-instance-id',
  'ecs-container-id',
  'ecs-second-container-id',
  'ecs-service-name',
  'ecs-task-definition-arn',
  'ecs-task-arn',
  'ecs-task-id',
  // version 8
  'reject-reason',
  // transit-gateway flow logs (version 6)
  'resource-type',
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
  'packets-lost-no-route',
  'packets-lost-blackhole',
  'packets-lost-mtu-exceeded',
  'packets-lost-ttl-expired',
] as const;

/** A flow-log field name as AWS writes it in a format string (`account-id`, `tgw-src-eni`). */
export type FlowLogFieldName = (typeof FLOW_LOG_FIELD_NAMES)[number];

export const FIELD_COUNT = FLOW_LOG_FIELD_NAMES.length;

const SLOT_BY_NAME: ReadonlyMap<string, number> = new Map<string, number>(
  FLOW_LOG_FIELD_NAMES.flatMap((name, slot): [string, number][] => [
    [name, slot],
    // Vector, Athena and Elastic spell the names with underscores; accept both.
    [name.replaceAll('-', '_'), slot],
  ]),
);

/** The slot of a field name (`account-id` or `account_id`), or -1 when it is not a flow-log field. */
export function slotOf(name: string): number {
  return SLOT_BY_NAME.get(name) ?? -1;
}

function slot(name: FlowLogFieldName): number {
  return FLOW_LOG_FIELD_NAMES.indexOf(name);
}

/** Slot numbers by field, for the straight-line document builder. */
export const S = {
  version: slot('version'),
  accountId: slot('account-id'),
  interfaceId: slot('interface-id'),
  srcaddr: slot('srcaddr'),
  dstaddr: slot('dstaddr'),
  srcport: slot('srcport'),
  dstport: slot('dstport'),
  protocol: slot('protocol'),
  packets: slot('packets'),
  bytes: slot('bytes'),
  start: slot('start'),
  end: slot('end'),
  action: slot('action'),
  logStatus: slot('log-status'),
  vpcId: slot('vpc-id'),
  subnetId: slot('subnet-id'),
  instanceId: slot('instance-id'),
  tcpFlags: slot('tcp-flags'),
  type: slot('type'),
  pktSrcaddr: slot('pkt-srcaddr'),
  pktDstaddr: slot('pkt-dstaddr'),
  region: slot('region'),
  azId: slot('az-id'),
  sublocationType: slot('sublocation-type'),
  sublocationId: slot('sublocation-id'),
  pktSrcAwsService: slot('pkt-src-aws-service'),
  pktDstAwsService: slot('pkt-dst-aws-service'),
  flowDirection: slot('flow-direction'),
  trafficPath: slot('traffic-path'),
  ecsClusterArn: slot('ecs-cluster-arn'),
  ecsClusterName: slot('ecs-cluster-name'),
  ecsContainerInstanceArn: slot('ecs-container-instance-arn'),
  ecsContainerInstanceId: slot('ecs-container-instance-id'),
  ecsContainerId: slot('ecs-container-id'),
  ecsSecondContainerId: slot('ecs-second-container-id'),
  ecsServiceName: slot('ecs-service-name'),
  ecsTaskDefinitionArn: slot('ecs-task-definition-arn'),
  ecsTaskArn: slot('ecs-task-arn'),
  ecsTaskId: slot('ecs-task-id'),
  rejectReason: slot('reject-reason'),
  resourceType: slot('resource-type'),
  tgwId: slot('tgw-id'),
  tgwAttachmentId: slot('tgw-attachment-id'),
  tgwSrcVpcAccountId: slot('tgw-src-vpc-account-id'),
  tgwDstVpcAccountId: slot('tgw-dst-vpc-account-id'),
  tgwSrcVpcId: slot('tgw-src-vpc-id'),
  tgwDstVpcId: slot('tgw-dst-vpc-id'),
  tgwSrcSubnetId: slot('tgw-src-subnet-id'),
  tgwDstSubnetId: slot('tgw-dst-subnet-id'),
  tgwSrcEni: slot('tgw-src-eni'),
  tgwDstEni: slot('tgw-dst-eni'),
  tgwSrcAzId: slot('tgw-src-az-id'),
  tgwDstAzId: slot('tgw-dst-az-id'),
  tgwPairAttachmentId: slot('tgw-pair-attachment-id'),
  packetsLostNoRoute: slot('packets-lost-no-route'),
  packetsLostBlackhole: slot('packets-lost-blackhole'),
  packetsLostMtuExceeded: slot('packets-lost-mtu-exceeded'),
  packetsLostTtlExpired: slot('packets-lost-ttl-expired'),
} as const;

/** Fields AWS documents as integers; a line with anything else there is not a valid record. */
const NUMERIC_FIELDS: readonly FlowLogFieldName[] = [
  'version',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'tcp-flags',
  'packets-lost-no-route',
  'packets-lost-blackhole',
  'packets-lost-mtu-exceeded',
  'packets-lost-ttl-expired',
];

/** 1 at the slots of numeric fields. */
export const IS_NUMERIC: Uint8Array = (() => {
  const table = new Uint8Array(FIELD_COUNT);
  for (const name of NUMERIC_FIELDS) table[slot(name)] = 1;
  return table;
})();

/**
 * Values that must have a shape beyond "a token": without these checks any six words would parse
 * as the (all-text) NAT format. Prefixes are the resource-id prefixes AWS assigns.
 */
export const SHAPE_ADDRESS = 1;
export const SHAPE_PREFIX = 2;
export const SHAPE_ENUM = 3;

const ADDRESS_FIELDS: readonly FlowLogFieldName[] = ['srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr'];
const PREFIXED_FIELDS: ReadonlyArray<[FlowLogFieldName, string]> = [
  ['interface-id', 'eni-'],
  ['instance-id', 'i-'],
  ['vpc-id', 'vpc-'],
  ['subnet-id', 'subnet-'],
  ['tgw-id', 'tgw-'],
  ['tgw-attachment-id', 'tgw-attach-'],
];
const ENUM_FIELDS: ReadonlyArray<[FlowLogFieldName, readonly string[]]> = [
  ['action', ['ACCEPT', 'REJECT']],
  ['log-status', ['OK', 'NODATA', 'SKIPDATA']],
];

/** The shape check of each slot (0 = none). */
export const SHAPE: Uint8Array = (() => {
  const table = new Uint8Array(FIELD_COUNT);
  for (const name of ADDRESS_FIELDS) table[slot(name)] = SHAPE_ADDRESS;
  for (const [name] of PREFIXED_FIELDS) table[slot(name)] = SHAPE_PREFIX;
  for (const [name] of ENUM_FIELDS) table[slot(name)] = SHAPE_ENUM;
  return table;
})();

/** The required prefix of a SHAPE_PREFIX slot. */
export const PREFIX: readonly string[] = (() => {
  const table = new Array<string>(FIELD_COUNT).fill('');
  for (const [name, prefix] of PREFIXED_FIELDS) table[slot(name)] = prefix;
  return table;
})();

/** The allowed values of a SHAPE_ENUM slot. */
export const ENUM_VALUES: ReadonlyArray<readonly string[]> = (() => {
  const table = new Array<readonly string[]>(FIELD_COUNT).fill([]);
  for (const [name, values] of ENUM_FIELDS) table[slot(name)] = values;
  return table;
})();

/**
 * IANA protocol numbers to their keywords, lower case
 * (https://www.iana.org/assignments/protocol-numbers). The entries Elastic's pipeline maps
 * (0 hopopt … 132 sctp) agree with it; the rest extend it with the same rule.
 */
const TRANSPORT_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'hopopt'],
  [1, 'icmp'],
  [2, 'igmp'],
  [3, 'ggp'],
  [4, 'ipv4'],
  [6, 'tcp'],
  [8, 'egp'],
  [17, 'udp'],
  [41, 'ipv6'],
  [43, 'ipv6-route'],
  [44, 'ipv6-frag'],
  [47, 'gre'],
  [50, 'esp'],
  [51, 'ah'],
  [58, 'ipv6-icmp'],
  [59, 'ipv6-nonxt'],
  [60, 'ipv6-opts'],
  [89, 'ospfigp'],
  [103, 'pim'],
  [112, 'vrrp'],
  [115, 'l2tp'],
  [132, 'sctp'],
  [136, 'udplite'],
  [137, 'mpls-in-ip'],
]);

/** The IANA keyword of a protocol number, if it is one we name. */
export function transportName(protocol: number): string | undefined {
  return TRANSPORT_NAMES.get(protocol);
}
