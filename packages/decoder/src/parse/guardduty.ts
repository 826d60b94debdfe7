import { isIP } from 'node:net';
import type { EndpointFields, GuardDutyFields, NetworkFields, UserFields } from '@central-logging/log-schema';
import {
  asArray,
  asBoolean,
  asIsoTimestamp,
  asNumber,
  asEpochMillis,
  asRecord,
  asString,
  isRecord,
  MAX_PAYLOAD_DEPTH,
  parseJsonOnce,
  setString,
  TOO_DEEP,
  withoutEmpty,
} from './json-fields.ts';
import type { JsonRecord } from './json-fields.ts';
import { parseFailure } from './types.ts';
import type { ParseContext, ParsedFields, ParseOutput, ParseResult } from './types.ts';

/**
 * GuardDuty findings, as EventBridge delivers them (`"detail-type": "GuardDuty Finding"`, the
 * finding in `detail`), bare, or as `{"findings":[…]}` (GetFindings / S3 export).
 * Finding format: https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings-format.html
 * The ECS mapping follows Elastic's `aws.guardduty` ingest pipeline (elastic/integrations
 * packages/aws/data_stream/guardduty); the big `resource` and `service` objects are kept as they
 * are under `aws.guardduty.flattened` (one `flat_object` field) instead of Elastic's renamed copy.
 */

const DATASET = 'aws.guardduty';
const EVENTBRIDGE_DETAIL_TYPE = 'GuardDuty Finding';

/**
 * True when `json` looks like a GuardDuty finding, its EventBridge event, or a `{"findings":[…]}`
 * list whose first finding looks like one. An empty list says nothing of its source (a scanner's
 * `{"findings":[],"status":"clean"}`): it is GuardDuty's only in a GuardDuty log group.
 */
export function isGuardDutyFinding(json: unknown): boolean {
  if (!isRecord(json)) return false;
  if (json['detail-type'] === EVENTBRIDGE_DETAIL_TYPE) return true;
  const findings = json['findings'];
  if (Array.isArray(findings)) return findings.length > 0 && looksLikeFinding(findings[0]);
  return looksLikeFinding(json);
}

function looksLikeFinding(value: unknown): boolean {
  if (!isRecord(value) || typeof value['type'] !== 'string') return false;
  const arn = value['arn'];
  return (
    (typeof arn === 'string' && arn.includes(':guardduty:')) ||
    (typeof value['schemaVersion'] === 'string' && isRecord(value['service']))
  );
}

/** Parses a GuardDuty finding (bare or EventBridge-wrapped), or every finding of a `{"findings":[…]}` list. */
export function parseGuardDuty(message: string, ctx: ParseContext, json?: unknown): ParseOutput {
  // ctx is unused: every finding names its own account and region.
  void ctx;
  const parsed = parseJsonOnce(message, json);
  if (!parsed.ok) return parseFailure('guardduty: message is not JSON');
  const value = parsed.value;
  if (!isRecord(value)) return parseFailure('guardduty: message is not a JSON object');
  if (value['detail-type'] !== undefined) {
    if (value['detail-type'] !== EVENTBRIDGE_DETAIL_TYPE)
      return parseFailure('guardduty: EventBridge event is not a GuardDuty Finding');
    return parseFinding(value['detail']);
  }
  const findings = value['findings'];
  if (findings !== undefined && value['type'] === undefined) {
    if (!Array.isArray(findings)) return parseFailure('guardduty: findings is not an array');
    // {"findings":[]} deliberately carries nothing (Elastic's expected output is null for it).
    return findings.map(parseFinding);
  }
  return parseFinding(value);
}

function parseFinding(value: unknown): ParseResult {
  if (!isRecord(value)) return parseFailure('guardduty: finding is not a JSON object');
  const type = asString(value['type']);
  const id = asString(value['id']);
  if (type === undefined && id === undefined)
    return parseFailure('guardduty: finding has neither type nor id');

  const resource = asRecord(value['resource']);
  const service = asRecord(value['service']);
  const action = asRecord(service?.['action']);
  const actionType = asString(action?.['actionType']);
  const severity = asNumber(value['severity']);
  const severityLabel = severity === undefined ? undefined : severityLabelOf(severity);

  // kind "alert": a finding is a detection made outside the stack (ECS event.kind), as Elastic's
  // ECS 1.12 pipeline had it; its 8.x pipeline writes ["event"] (see the fixture test).
  const event: NonNullable<ParsedFields['event']> = { kind: 'alert' };
  if (actionType !== undefined) event.action = actionType;
  if (severity !== undefined) event.severity = severity;
  const created = asIsoTimestamp(value['createdAt']);
  if (created !== undefined) event.created = created;
  const start = asIsoTimestamp(service?.['eventFirstSeen']);
  if (start !== undefined) event.start = start;
  const end = asIsoTimestamp(service?.['eventLastSeen']);
  if (end !== undefined) event.end = end;
  const fields: ParsedFields = { event };

  const description = asString(value['description']);
  // Elastic's message is the description; the shorter title stays in aws.guardduty.title.
  if (description !== undefined) fields.message = description;

  if (type !== undefined) fields.rule = ruleOf(type);

  const cloud: NonNullable<ParsedFields['cloud']> = { service: { name: 'guardduty' } };
  const accountId = asString(value['accountId']);
  if (accountId !== undefined) cloud.account = { id: accountId };
  setString(cloud, 'region', value['region']);
  const instance = asRecord(resource?.['instanceDetails']);
  const instanceId = asString(instance?.['instanceId']);
  if (instanceId !== undefined) cloud.instance = { id: instanceId };
  const instanceType = asString(instance?.['instanceType']);
  if (instanceType !== undefined) cloud.machine = { type: instanceType };
  setString(cloud, 'availability_zone', instance?.['availabilityZone']);
  fields.cloud = cloud;

  if (action !== undefined && actionType !== undefined) mapAction(fields, actionType, action);
  const user = userOf(resource);
  if (user !== undefined) fields.user = user;

  const guardduty: GuardDutyFields = {};
  setString(guardduty, 'schema_version', value['schemaVersion']);
  if (accountId !== undefined) guardduty.account_id = accountId;
  setString(guardduty, 'region', value['region']);
  setString(guardduty, 'partition', value['partition']);
  if (id !== undefined) guardduty.id = id;
  setString(guardduty, 'arn', value['arn']);
  if (type !== undefined) guardduty.type = type;
  setString(guardduty, 'title', value['title']);
  if (description !== undefined) guardduty.description = description;
  if (severity !== undefined && severityLabel !== undefined)
    guardduty.severity = { code: severity, value: severityLabel };
  if (created !== undefined) guardduty.created_at = created;
  const updated = asIsoTimestamp(value['updatedAt']);
  if (updated !== undefined) guardduty.updated_at = updated;
  if (resource !== undefined) {
    const summary: NonNullable<GuardDutyFields['resource']> = {};
    setString(summary, 'type', resource['resourceType']);
    setString(summary, 'id', resourceIdOf(resource, instanceId));
    if (Object.keys(summary).length > 0) guardduty.resource = summary;
  }
  if (service !== undefined) guardduty.service = serviceSummaryOf(service, actionType, start, end);
  const flattened: NonNullable<GuardDutyFields['flattened']> = {};
  const prunedResource = withoutEmpty(resource);
  const prunedService = withoutEmpty(service);
  if (prunedResource === TOO_DEEP || prunedService === TOO_DEEP)
    return parseFailure(`guardduty: resource or service nests deeper than ${MAX_PAYLOAD_DEPTH} levels`);
  if (isRecord(prunedResource)) flattened.resource = prunedResource;
  if (isRecord(prunedService)) flattened.service = prunedService;
  if (Object.keys(flattened).length > 0) guardduty.flattened = flattened;
  fields.aws = { guardduty };

  // @timestamp is updatedAt, as Elastic has it: a finding is re-published when it is updated.
  return { dataset: DATASET, timestamp: asEpochMillis(value['updatedAt']), fields };
}

/**
 * GuardDuty's severity bands: Low 1.0–3.9, Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10.0
 * (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings-severity.html). Elastic's
 * pipeline predates Critical and calls ≥ 7 "High"; we follow GuardDuty.
 */
export function severityLabelOf(severity: number): 'Low' | 'Medium' | 'High' | 'Critical' {
  if (severity < 4) return 'Low';
  if (severity < 7) return 'Medium';
  if (severity < 9) return 'High';
  return 'Critical';
}

/**
 * Finding types read `ThreatPurpose:ResourceTypeAffected/ThreatFamilyName.DetectionMechanism!Artifact`
 * (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-format.html): rule.category is
 * the threat purpose ("Trojan"), rule.ruleset purpose and resource ("Trojan:EC2").
 */
function ruleOf(type: string): NonNullable<ParsedFields['rule']> {
  const rule: NonNullable<ParsedFields['rule']> = { name: type };
  const colon = type.indexOf(':');
  if (colon > 0) rule.category = type.slice(0, colon);
  const slash = type.indexOf('/');
  if (slash > colon && colon > 0) rule.ruleset = type.slice(0, slash);
  return rule;
}

/** Puts the action's remote party, DNS name and transport into ECS fields, by action type. */
function mapAction(fields: ParsedFields, actionType: string, action: JsonRecord): void {
  switch (actionType) {
    case 'NETWORK_CONNECTION': {
      const connection = asRecord(action['networkConnectionAction']);
      if (connection === undefined) return;
      const remote = endpointOf(
        asRecord(connection['remoteIpDetails']),
        asRecord(connection['remotePortDetails']),
      );
      const local = endpointOf(
        asRecord(connection['localIpDetails']),
        asRecord(connection['localPortDetails']),
      );
      const network: NetworkFields = {};
      const transport = asString(connection['protocol']);
      if (transport !== undefined) network.transport = transport.toLowerCase();
      // The remote party initiated an INBOUND connection, the instance an OUTBOUND one.
      if (connection['connectionDirection'] === 'OUTBOUND') {
        network.direction = 'outbound';
        if (local !== undefined) fields.source = local;
        if (remote !== undefined) fields.destination = remote;
      } else {
        if (connection['connectionDirection'] === 'INBOUND') network.direction = 'inbound';
        if (remote !== undefined) fields.source = remote;
        if (local !== undefined) fields.destination = local;
      }
      if (Object.keys(network).length > 0) fields.network = network;
      return;
    }
    case 'PORT_PROBE': {
      // The first probe names the scanner; the others are in flattened.service.
      const probe = asRecord(asArray(asRecord(action['portProbeAction'])?.['portProbeDetails'])?.[0]);
      if (probe === undefined) return;
      const remote = endpointOf(asRecord(probe['remoteIpDetails']), undefined);
      const local = endpointOf(asRecord(probe['localIpDetails']), asRecord(probe['localPortDetails']));
      if (remote !== undefined) fields.source = remote;
      if (local !== undefined) fields.destination = local;
      return;
    }
    case 'AWS_API_CALL': {
      const call = asRecord(action['awsApiCallAction']);
      if (call === undefined) return;
      const remote = endpointOf(asRecord(call['remoteIpDetails']), undefined);
      if (remote !== undefined) fields.source = remote;
      const provider = asString(call['serviceName']);
      if (provider !== undefined && fields.event !== undefined) fields.event.provider = provider;
      return;
    }
    case 'DNS_REQUEST': {
      const dns = asRecord(action['dnsRequestAction']);
      if (dns === undefined) return;
      const domain = asString(dns['domain']);
      if (domain !== undefined) fields.dns = { question: { name: domain } };
      const transport = asString(dns['protocol']);
      if (transport !== undefined) fields.network = { transport: transport.toLowerCase() };
      return;
    }
    case 'KUBERNETES_API_CALL': {
      const call = asRecord(action['kubernetesApiCallAction']);
      if (call === undefined) return;
      const remote =
        endpointOf(asRecord(call['remoteIpDetails']), undefined) ??
        endpointFromAddress(asArray(call['sourceIPs'])?.[0]);
      if (remote !== undefined) fields.source = remote;
      const userAgent = asString(call['userAgent']);
      if (userAgent !== undefined) fields.user_agent = { original: userAgent };
      return;
    }
    case 'RDS_LOGIN_ATTEMPT': {
      const login = asRecord(action['rdsLoginAttemptAction']);
      const remote = endpointOf(asRecord(login?.['remoteIpDetails']), undefined);
      if (remote !== undefined) fields.source = remote;
      return;
    }
    default:
      return;
  }
}

function endpointOf(
  ipDetails: JsonRecord | undefined,
  portDetails: JsonRecord | undefined,
): EndpointFields | undefined {
  const endpoint = endpointFromAddress(ipDetails?.['ipAddressV4'] ?? ipDetails?.['ipAddressV6']) ?? {};
  const port = asNumber(portDetails?.['port']);
  if (port !== undefined && Number.isInteger(port) && port >= 0 && port <= 65535) endpoint.port = port;
  return Object.keys(endpoint).length > 0 ? endpoint : undefined;
}

// source.ip only when the address is an IP (the index maps it as `ip`); address always.
function endpointFromAddress(value: unknown): EndpointFields | undefined {
  const address = asString(value);
  if (address === undefined) return undefined;
  return isIP(address) === 0 ? { address } : { address, ip: address };
}

/**
 * The acting principal: the IAM access key's user, else the Kubernetes user, else the RDS
 * database user.
 */
function userOf(resource: JsonRecord | undefined): UserFields | undefined {
  if (resource === undefined) return undefined;
  const user: UserFields = {};
  const accessKey = asRecord(resource['accessKeyDetails']);
  const kubernetesUser = asRecord(asRecord(resource['kubernetesDetails'])?.['kubernetesUserDetails']);
  const rdsUser = asRecord(resource['rdsDbUserDetails']);
  setString(user, 'id', accessKey?.['principalId']);
  setString(user, 'name', accessKey?.['userName']);
  if (user.id === undefined) setString(user, 'id', kubernetesUser?.['uid']);
  if (user.name === undefined) setString(user, 'name', kubernetesUser?.['username']);
  if (user.name === undefined) setString(user, 'name', rdsUser?.['user']);
  const groups = asArray(kubernetesUser?.['groups'])?.filter(
    (group): group is string => typeof group === 'string' && group !== '',
  );
  if (groups !== undefined && groups.length > 0) user.roles = groups;
  return Object.keys(user).length > 0 ? user : undefined;
}

function resourceIdOf(resource: JsonRecord, instanceId: string | undefined): string | undefined {
  return (
    instanceId ??
    asString(asRecord(resource['accessKeyDetails'])?.['accessKeyId']) ??
    asString(asRecord(resource['eksClusterDetails'])?.['name']) ??
    asString(asRecord(resource['rdsDbInstanceDetails'])?.['dbInstanceIdentifier']) ??
    asString(asRecord(asArray(resource['s3BucketDetails'])?.[0])?.['name'])
  );
}

function serviceSummaryOf(
  service: JsonRecord,
  actionType: string | undefined,
  firstSeen: string | undefined,
  lastSeen: string | undefined,
): NonNullable<GuardDutyFields['service']> {
  const summary: NonNullable<GuardDutyFields['service']> = {};
  if (actionType !== undefined) summary.action = { type: actionType };
  setString(summary, 'resource_role', service['resourceRole']);
  const count = asNumber(service['count']);
  if (count !== undefined) summary.count = count;
  const archived = asBoolean(service['archived']);
  if (archived !== undefined) summary.archived = archived;
  setString(summary, 'detector_id', service['detectorId']);
  setString(summary, 'service_name', service['serviceName']);
  if (firstSeen !== undefined || lastSeen !== undefined) {
    summary.event = {};
    if (firstSeen !== undefined) summary.event.first_seen = firstSeen;
    if (lastSeen !== undefined) summary.event.last_seen = lastSeen;
  }
  return summary;
}
