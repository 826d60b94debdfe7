// How far the full decoder pipeline agrees with third-party expected outputs (Elastic integration
// `*-expected.json`, Datadog approved files), source by source. This file is the single source of
// truth for the compared field lists, prefixes and deliberate deviations: the parser tests in
// tests/unit/parse/ import them (and match them with {@link parserDeviation}) instead of keeping
// copies. Deviations only this full-pipeline report needs are kept apart from the exported lists.
import type { LogDocument } from '@central-logging/log-schema';
import { createDecoder } from '../../src/decoder.ts';
import type { DecoderOptions } from '../../src/options.ts';
import type { ParsedEvent } from '../../src/parse/types.ts';
import { dataMessage, fixture, fixtureText } from './payloads.ts';

/** A document as dotted paths to leaf values. */
export type Flat = Map<string, unknown>;

/** How {@link flatten} treats arrays. */
export interface FlattenOptions {
  /**
   * Arrays holding an object are walked by index (`resources.0.arn`), so compared prefixes such as
   * `aws.cloudtrail.resources.` reach their leaves. Arrays of scalars stay values either way.
   */
  readonly indexObjectArrays?: boolean;
}

/** Dotted paths to leaves; arrays are values (see {@link FlattenOptions}); undefined is absent. */
export function flatten(
  value: unknown,
  options: FlattenOptions = {},
  prefix = '',
  out: Flat = new Map(),
): Flat {
  if (Array.isArray(value)) {
    if (
      options.indexObjectArrays === true &&
      !value.every((item) => typeof item !== 'object' || item === null)
    ) {
      value.forEach((item, i) => flatten(item, options, `${prefix}.${i}`, out));
    } else {
      out.set(prefix, value);
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value))
      flatten(item, options, prefix === '' ? key : `${prefix}.${key}`, out);
  } else if (value !== undefined) {
    out.set(prefix, value);
  }
  return out;
}

/** JSON with object keys sorted, so that key order does not count as a difference. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** Spellings a third party uses for a value we hold otherwise; off unless a source turns them on. */
export interface ValueRules {
  /**
   * Their one-element array equals our single value: Elastic's 8.x pipelines write some keywords
   * as `[v]` (source.ip, event.kind, network.transport, user.name) and ECS reads `[v]` as `v`.
   */
  readonly singletonArrays?: boolean;
  /** Fields they write as "true"/"false" where our schema has booleans: values count, not types. */
  readonly booleansAsStrings?: ReadonlySet<string>;
  /** Numbers agree within this relative error (Datadog divides ms by 1000 in floating point). */
  readonly relativeTolerance?: number;
}

/** Whether our value at `path` equals theirs under `rules`; otherwise key-order-blind JSON equality. */
export function sameValue(path: string, ours: unknown, theirs: unknown, rules: ValueRules = {}): boolean {
  if (rules.booleansAsStrings?.has(path) === true && typeof ours === 'boolean')
    return String(ours) === theirs;
  if (rules.relativeTolerance !== undefined && typeof ours === 'number' && typeof theirs === 'number') {
    return Math.abs(ours - theirs) <= rules.relativeTolerance * Math.max(1, Math.abs(theirs));
  }
  const single =
    rules.singletonArrays === true && Array.isArray(theirs) && theirs.length === 1 && !Array.isArray(ours)
      ? theirs[0]
      : theirs;
  return canonical(ours) === canonical(single);
}

/** A difference we keep on purpose, with its reason. */
export interface Deviation {
  /** The field (it also covers the fields under it), or a prefix ending in ".". */
  readonly field: string;
  readonly why: string;
  /** Only in these fixtures, or records `<fixture>#<index in the expected file>`; everywhere if absent. */
  readonly where?: readonly string[];
  /** Only when this holds of the two values and our whole document; always if absent. */
  readonly when?: (ours: unknown, theirs: unknown, doc: Flat) => boolean;
}

/** Whether `path` is `field`, under it, or (for a field ending in ".") starts with it. */
function covers(field: string, path: string): boolean {
  return field.endsWith('.') ? path.startsWith(field) : path === field || path.startsWith(`${field}.`);
}

/**
 * The deviation a parser test skips `path` for in record `index` of `fixtureName`, if any. Unlike
 * the pipeline report, a field names only itself (not the fields under it); a field ending in "."
 * is a prefix. `where` and `when` apply as in {@link Deviation}.
 */
export function parserDeviation(
  deviations: readonly Deviation[],
  fixtureName: string,
  index: number,
  path: string,
  ours: unknown,
  theirs: unknown,
  doc: Flat,
): Deviation | undefined {
  return deviations.find(
    (d) =>
      (d.field.endsWith('.') ? path.startsWith(d.field) : path === d.field) &&
      (d.where === undefined ||
        d.where.includes(fixtureName) ||
        d.where.includes(`${fixtureName}#${index}`)) &&
      (d.when === undefined || d.when(ours, theirs, doc)),
  );
}

/** A parser test's tally against a third party's expected documents. */
export interface ParserAgreement {
  compared: number;
  agreed: number;
  disagreements: string[];
}

/**
 * A parsed event as Elastic lays it out: flattened with arrays of objects walked by index,
 * @timestamp from the epoch ms, and the source's own record id (at `idField`) as event.id.
 */
export function asElasticDocument(parsed: ParsedEvent, idField: string): Flat {
  const flat = flatten(parsed.fields, INDEXED);
  if (parsed.timestamp !== undefined) flat.set('@timestamp', new Date(parsed.timestamp).toISOString());
  const id = flat.get(idField);
  if (id !== undefined) flat.set('event.id', id);
  return flat;
}

/**
 * Adds record `index` of `fixtureName` to `tally`: each of `paths` that no deviation covers (see
 * {@link parserDeviation}) is compared under `values`, and a difference is listed.
 */
export function tallyRecord(
  tally: ParserAgreement,
  rules: { readonly deviations: readonly Deviation[]; readonly values: ValueRules },
  fixtureName: string,
  index: number,
  paths: Iterable<string>,
  ours: Flat,
  theirs: Flat,
): void {
  for (const path of paths) {
    if (
      parserDeviation(rules.deviations, fixtureName, index, path, ours.get(path), theirs.get(path), ours) !==
      undefined
    )
      continue;
    tally.compared++;
    if (sameValue(path, ours.get(path), theirs.get(path), rules.values)) tally.agreed++;
    else
      tally.disagreements.push(
        `#${index} ${path}: ours ${JSON.stringify(ours.get(path))}, Elastic ${JSON.stringify(theirs.get(path))}`,
      );
  }
}

/** One input record and what the third party made of it; `null`: they drop it, we must emit nothing. */
export interface FixtureRecord {
  /** Position in the expected file, as the parser tests and deviations name it. */
  readonly index: number;
  readonly input: string;
  readonly expected: unknown;
}

/** One fixture: its records, and how the pipeline must be configured to read them. */
export interface FixtureSpec {
  readonly name: string;
  /** The expected-output file the records are compared with. */
  readonly expectedFile: string;
  readonly records: () => readonly FixtureRecord[];
  readonly decoder?: DecoderOptions;
  /** A log event sent before each record in the same payload (a flow-log header line). */
  readonly header?: string;
}

/** Everything needed to compare one source's fixtures under the full pipeline. */
export interface SourceSpec {
  readonly source: string;
  readonly logGroup: string;
  readonly fixtures: readonly FixtureSpec[];
  readonly comparedFields: readonly string[];
  readonly comparedPrefixes: readonly string[];
  readonly deviations: readonly Deviation[];
  readonly values: ValueRules;
  /** Our document in the compared key space. */
  readonly ours: (doc: LogDocument) => Flat;
  /** Their expected record in the same key space. */
  readonly theirs: (expected: unknown) => Flat;
}

/**
 * The full pipeline's event.id is the CloudWatch Logs event id; Elastic's event.id is the source's
 * own record id (`what`), which we keep at `idField`: it must equal theirs.
 */
function eventIdDeviation(what: string, idField: string): Deviation {
  return {
    field: 'event.id',
    why: `event.id is the CloudWatch Logs event id (the OpenSearch _id, log-schema ecs.ts); ${what}, Elastic's event.id, is ${idField} and must equal it`,
    when: (_ours, theirs, doc) => theirs !== undefined && doc.get(idField) === theirs,
  };
}

/**
 * The lines of `inputFile` paired with `expectedFile`'s `expected` array. Blank lines are skipped
 * (their index is kept): CloudWatch Logs never delivers an empty log event, so the pipeline never
 * sees one, while Elastic's pipeline tests do turn them into near-empty documents.
 */
function pairedLines(
  dir: string,
  inputFile: string,
  expectedFile: string,
  unwrap: (line: string) => string = (l) => l,
): FixtureRecord[] {
  const text = fixtureText(`${dir}/${inputFile}`);
  const lines = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  const expected = fixture<{ expected: unknown[] }>(`${dir}/${expectedFile}`).expected;
  if (lines.length !== expected.length) {
    throw new Error(`${inputFile}: ${lines.length} lines but ${expected.length} expected documents`);
  }
  return lines.flatMap((line, index) =>
    line.trim() === '' ? [] : [{ index, input: unwrap(line), expected: expected[index] }],
  );
}

function elasticFixture(
  dir: string,
  inputFile: string,
  extra: Partial<FixtureSpec> = {},
  expectedFile = `${inputFile}-expected.json`,
): FixtureSpec {
  return {
    name: inputFile,
    expectedFile,
    records: () => pairedLines(dir, inputFile, expectedFile),
    ...extra,
  };
}

// --- VPC flow logs (tests/unit/parse/vpc-flow-log.test.ts) ---------------------------------------

const FLOW_LOG_GROUP = '/vpc/flow-logs';
// Format strings as configured in AWS, for the fixture sets (see tests/fixtures/vpcflow/README.md).
export const V5_ALL_FIELDS =
  '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} ${subnet-id} ${instance-id} ${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} ${region} ${az-id} ${sublocation-type} ${sublocation-id} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${flow-direction} ${traffic-path}';
export const V8_ALL_FIELDS = `${V5_ALL_FIELDS} \${ecs-cluster-arn} \${ecs-cluster-name} \${ecs-container-instance-arn} \${ecs-container-instance-id} \${ecs-container-id} \${ecs-second-container-id} \${ecs-service-name} \${ecs-task-definition-arn} \${ecs-task-arn} \${ecs-task-id} \${reject-reason}`;
export const TGW_DEFAULT =
  '${version} ${resource-type} ${account-id} ${tgw-id} ${tgw-attachment-id} ${tgw-src-vpc-account-id} ${tgw-dst-vpc-account-id} ${tgw-src-vpc-id} ${tgw-dst-vpc-id} ${tgw-src-subnet-id} ${tgw-dst-subnet-id} ${tgw-src-eni} ${tgw-dst-eni} ${tgw-src-az-id} ${tgw-dst-az-id} ${tgw-pair-attachment-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${log-status} ${type} ${packets-lost-no-route} ${packets-lost-blackhole} ${packets-lost-mtu-exceeded} ${packets-lost-ttl-expired} ${tcp-flags} ${region} ${flow-direction} ${pkt-src-aws-service} ${pkt-dst-aws-service}';
// As an S3 file's header line would carry it; sent as a log event before the record.
export const TCP_FLAG_SEQUENCE_HEADER =
  'version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status';

const flowFormat = (format: string): DecoderOptions => ({
  flowLogFormats: [{ logGroup: FLOW_LOG_GROUP, format }],
});

/** Samples older than Elastic's v8 ones (ECS 8.0 / early 8.11): no event.action, no allowed/denied. */
export const PREDATES_V8 = [
  'test-extra-samples.log',
  'test-with-message-field.log',
  'test-tcp-flag-sequence.log',
  'test-v5-all-fields.log',
] as const;

/** ECS 8.0-vintage outputs write event.category/type as a scalar; ECS keyword fields take either. */
export function asArray(value: unknown): unknown {
  return typeof value === 'string' ? [value] : value;
}

/** Fields compared on every document, plus every {@link VPCFLOW_COMPARED_PREFIXES} path on either side. */
export const VPCFLOW_COMPARED_FIELDS: readonly string[] = [
  '@timestamp',
  'source.ip',
  'source.address',
  'source.port',
  'source.bytes',
  'source.packets',
  'destination.ip',
  'destination.address',
  'destination.port',
  'network.transport',
  'network.iana_number',
  'network.type',
  'network.bytes',
  'network.packets',
  'network.direction',
  'event.action',
  'event.outcome',
  'event.start',
  'event.end',
  'event.reason',
  'event.kind',
  'event.category',
  'event.type',
  'cloud.account.id',
  'cloud.region',
  'cloud.availability_zone',
  'cloud.instance.id',
  'service.name',
];
export const VPCFLOW_COMPARED_PREFIXES = ['aws.vpcflow.', 'orchestrator.'] as const;

/** Where we differ from Elastic on purpose (values compared after {@link asArray} on their side). */
export const VPCFLOW_DEVIATIONS: readonly Deviation[] = [
  {
    field: 'cloud.region',
    why: 'Elastic copies region/az-id into cloud.* before its "-" scrub (which only walks aws.*), so it keeps "-"; we omit absent fields',
    when: (ours, theirs) => theirs === '-' && ours === undefined,
  },
  {
    field: 'cloud.availability_zone',
    why: 'Elastic copies region/az-id into cloud.* before its "-" scrub (which only walks aws.*), so it keeps "-"; we omit absent fields',
    when: (ours, theirs) => theirs === '-' && ours === undefined,
  },
  {
    field: 'event.action',
    why: "event.action = flow action is in Elastic's newest (v8, ECS 8.11) output only; its older samples lack it",
    where: PREDATES_V8,
    when: (ours, theirs, doc) => theirs === undefined && ours === doc.get('aws.vpcflow.action'),
  },
  {
    field: 'event.type',
    why: 'event.type gains "denied" (REJECT) in Elastic\'s newest (v8) output, "allowed" for ACCEPT by ECS symmetry; older samples have ["connection"] only',
    where: PREDATES_V8,
    when: (ours, theirs) =>
      JSON.stringify(theirs) === '["connection"]' &&
      (JSON.stringify(ours) === '["connection","allowed"]' ||
        JSON.stringify(ours) === '["connection","denied"]'),
  },
];

const VPCFLOW: SourceSpec = {
  source: 'vpcflow',
  logGroup: FLOW_LOG_GROUP,
  fixtures: [
    // Default v2 format: the pipeline picks it by field count, as in production.
    elasticFixture('vpcflow', 'test-extra-samples.log'),
    {
      // Elastic reads this line from a {"message": …} wrapper (a Filebeat artifact); CloudWatch
      // delivers the flow-log line itself, so the wrapper is removed before the pipeline.
      name: 'test-with-message-field.log',
      expectedFile: 'test-with-message-field.log-expected.json',
      records: () =>
        pairedLines(
          'vpcflow',
          'test-with-message-field.log',
          'test-with-message-field.log-expected.json',
          (line) => (JSON.parse(line) as { message: string }).message,
        ),
    },
    elasticFixture('vpcflow', 'test-tcp-flag-sequence.log', { header: TCP_FLAG_SEQUENCE_HEADER }),
    elasticFixture('vpcflow', 'test-v5-all-fields.log', { decoder: flowFormat(V5_ALL_FIELDS) }),
    elasticFixture('vpcflow', 'test-tgw-samples.log', { decoder: flowFormat(TGW_DEFAULT) }),
    elasticFixture('vpcflow', 'test-v8-samples.log', { decoder: flowFormat(V8_ALL_FIELDS) }),
  ],
  comparedFields: VPCFLOW_COMPARED_FIELDS,
  comparedPrefixes: VPCFLOW_COMPARED_PREFIXES,
  deviations: VPCFLOW_DEVIATIONS,
  values: {},
  ours: (doc) => flatten(doc),
  theirs: (expected) => {
    const flat = flatten(expected);
    for (const field of ['event.category', 'event.type'])
      if (flat.has(field)) flat.set(field, asArray(flat.get(field)));
    return flat;
  },
};

// --- CloudTrail (tests/unit/parse/cloudtrail.test.ts) --------------------------------------------

const CLOUDTRAIL_FILES = [
  'integrations_test-assume-role-aws-service-json.log',
  'integrations_test-authorize-security-group-ingress-json.log',
  'integrations_test-console-login-json.log',
  'integrations_test-get-caller-identity-json.log',
  'integrations_test-get-secret-value-json.log',
  'integrations_test-put-object-json.log',
  'integrations_test-start-session-json.log',
  'integrations_test-us-gov-arn.log',
  'integrations_test-user-authentication.log',
] as const;

/** Arrays of objects are walked by index, so compared prefixes reach their leaves; arrays of scalars stay values. */
export const INDEXED: FlattenOptions = { indexObjectArrays: true };

/** Fields compared with Elastic's expected documents (exact paths; and every leaf under a prefix below). */
export const CLOUDTRAIL_COMPARED_FIELDS: readonly string[] = [
  '@timestamp',
  'event.id',
  'event.action',
  'event.outcome',
  'event.provider',
  'event.kind',
  'event.category',
  'event.type',
  'cloud.account.id',
  'cloud.region',
  'source.ip',
  'source.address',
  'user.name',
  'user.id',
  'user.email',
  'user_agent.original',
  'error.code',
  'error.message',
  'aws.cloudtrail.event_version',
  'aws.cloudtrail.event_type',
  'aws.cloudtrail.event_category',
  'aws.cloudtrail.management_event',
  'aws.cloudtrail.read_only',
  'aws.cloudtrail.request_id',
  'aws.cloudtrail.recipient_account_id',
  'aws.cloudtrail.error_code',
  'aws.cloudtrail.error_message',
];
export const CLOUDTRAIL_COMPARED_PREFIXES = [
  'aws.cloudtrail.user_identity.',
  'aws.cloudtrail.flattened.',
  'aws.cloudtrail.resources.',
  'aws.cloudtrail.console_login.',
] as const;
// Not compared at all: aws.cloudtrail.request_parameters / response_elements / additional_eventdata
// / service_event_details as strings. Elastic renders them as Java Maps ("{ConsoleLogin=Success}");
// we keep only the flattened.* objects (compared above), deliberately. Also not compared: tls_details
// (Elastic moves it to ECS tls.*, which our schema does not have), and Elastic-only enrichment (geo,
// as, related.*, user_agent parsing, actor/target).

/** Deliberate differences from Elastic, shared by the parser test and this report. */
export const CLOUDTRAIL_DEVIATIONS: readonly Deviation[] = [
  {
    field: 'aws.cloudtrail.user_identity.account_id',
    why: 'kept: the caller account differs from cloud.account.id (recipient) in cross-account calls; Elastic drops it',
  },
  {
    field: 'aws.cloudtrail.user_identity.identity_store_arn',
    why: 'kept from onBehalfOf (declared in our schema); Elastic drops it',
  },
  {
    field: 'error.code',
    why: 'ECS error.* set besides aws.cloudtrail.error_*; this Elastic version sets only the latter',
  },
  {
    field: 'error.message',
    why: 'ECS error.* set besides aws.cloudtrail.error_*; this Elastic version sets only the latter',
  },
  {
    field: 'aws.cloudtrail.user_identity.session_context.creation_date',
    why: 'basic ISO 8601 "20131102T010628Z": Elastic fails to parse it and drops it, we normalize it',
    where: ['integrations_test-console-login-json.log#2'],
  },
  {
    field: 'user.email',
    why: 'this expected file predates Elastic mapping an e-mail-shaped user name to user.email',
    where: ['integrations_test-get-secret-value-json.log#0'],
  },
];

/** Elastic writes these as "true"/"false" strings; our schema has booleans. Values are compared, not types. */
export const CLOUDTRAIL_VALUES: ValueRules = {
  booleansAsStrings: new Set([
    'aws.cloudtrail.management_event',
    'aws.cloudtrail.user_identity.session_context.mfa_authenticated',
  ]),
};

const CLOUDTRAIL: SourceSpec = {
  source: 'cloudtrail',
  logGroup: 'aws-cloudtrail-logs',
  fixtures: CLOUDTRAIL_FILES.map((file) => elasticFixture('cloudtrail', file)),
  comparedFields: CLOUDTRAIL_COMPARED_FIELDS,
  comparedPrefixes: CLOUDTRAIL_COMPARED_PREFIXES,
  deviations: [
    // Found by this report, not by the parser test (whose comparison copies event_id into event.id).
    eventIdDeviation("the record's eventID", 'aws.cloudtrail.event_id'),
    ...CLOUDTRAIL_DEVIATIONS,
  ],
  values: CLOUDTRAIL_VALUES,
  ours: (doc) => flatten(doc, INDEXED),
  theirs: (expected) => flatten(expected, INDEXED),
};

// --- GuardDuty (tests/unit/parse/guardduty.test.ts) ----------------------------------------------

/** Elastic's current pipeline test input, and an excerpt of its ECS 1.12-era one with its expected file. */
export const GD_CURRENT = 'integrations_test-guardduty.log';
export const GD_ECS_1_12 = 'integrations_test-guard_duty.log.EXCERPT-line1.log';
export const GD_ECS_1_12_EXPECTED = 'integrations_test-guard_duty.log-expected.EXCERPT-record1.json';

/** Fields compared with Elastic's expected documents. */
export const GUARDDUTY_COMPARED_FIELDS: readonly string[] = [
  '@timestamp',
  'message',
  'event.id',
  'event.action',
  'event.kind',
  'event.severity',
  'event.created',
  'event.start',
  'event.end',
  'event.provider',
  'cloud.account.id',
  'cloud.region',
  'cloud.instance.id',
  'cloud.machine.type',
  'cloud.availability_zone',
  'cloud.service.name',
  'source.ip',
  'source.address',
  'source.port',
  'destination.ip',
  'destination.port',
  'user.name',
  'user.id',
  'user.roles',
  'dns.question.name',
  'network.transport',
  'rule.name',
  'rule.category',
  'rule.ruleset',
  'aws.guardduty.schema_version',
  'aws.guardduty.account_id',
  'aws.guardduty.region',
  'aws.guardduty.partition',
  'aws.guardduty.id',
  'aws.guardduty.arn',
  'aws.guardduty.type',
  'aws.guardduty.title',
  'aws.guardduty.description',
  'aws.guardduty.severity.code',
  'aws.guardduty.severity.value',
  'aws.guardduty.created_at',
  'aws.guardduty.updated_at',
  'aws.guardduty.resource.type',
  'aws.guardduty.resource.id',
  'aws.guardduty.service.action.type',
  'aws.guardduty.service.resource_role',
  'aws.guardduty.service.count',
  'aws.guardduty.service.archived',
  'aws.guardduty.service.detector_id',
  'aws.guardduty.service.service_name',
  'aws.guardduty.service.event.first_seen',
  'aws.guardduty.service.event.last_seen',
];
// Not compared: aws.guardduty.flattened.* (ours: the finding's resource/service as they are) vs
// Elastic's renamed copy under aws.guardduty.resource/service.*; Elastic-only enrichment (geo,
// related.*, host.* duplicates of cloud.*, network.name).

/** Deliberate differences from Elastic, shared by the parser test and this report. */
export const GUARDDUTY_DEVIATIONS: readonly Deviation[] = [
  {
    field: 'aws.guardduty.resource.id',
    why: 'ours only: the most specific resource id (instance, access key, cluster, DB, bucket)',
  },
  {
    field: 'event.kind',
    why: 'we write "alert" (ECS: detection made outside the stack; Elastic ECS 1.12 agrees), Elastic 8.x writes ["event"]',
    where: [GD_CURRENT],
  },
  {
    field: 'cloud.availability_zone',
    why: 'we map instanceDetails.availabilityZone (as Elastic ECS 1.12 did); Elastic 8.x does not',
    where: [GD_CURRENT],
  },
  {
    field: 'user.id',
    why: 'Elastic lists two ids (access key principal and Kubernetes uid); ours is one (the access key principal)',
    where: [`${GD_CURRENT}#2`],
  },
  {
    field: 'source.ip',
    why: 'RDS_LOGIN_ATTEMPT: Elastic sets source.address only; we also set source.ip when the address is an IP',
    where: [`${GD_CURRENT}#3`],
  },
  {
    field: 'aws.guardduty.',
    why: 'ECS 1.12 pipeline: its aws.guardduty layout predates the current one (the expected aws is {})',
    where: [GD_ECS_1_12],
  },
  { field: 'message', why: 'ECS 1.12 pipeline had no message', where: [GD_ECS_1_12] },
  {
    field: 'event.created',
    why: 'ECS 1.12 pipeline wrote the ingest time, not createdAt',
    where: [GD_ECS_1_12],
  },
  {
    field: 'event.start',
    why: 'ECS 1.12 pipeline kept eventFirstSeen under aws.guardduty only',
    where: [GD_ECS_1_12],
  },
  {
    field: 'event.end',
    why: 'ECS 1.12 pipeline kept eventLastSeen under aws.guardduty only',
    where: [GD_ECS_1_12],
  },
];

/**
 * Elastic's 8.x pipeline writes some single values as one-element arrays (source.ip, event.kind,
 * network.transport, user.name); ECS reads a one-element array as the value.
 */
export const GUARDDUTY_VALUES: ValueRules = { singletonArrays: true };

const GUARDDUTY: SourceSpec = {
  source: 'guardduty',
  logGroup: '/aws/events/guardduty',
  fixtures: [
    elasticFixture('guardduty', GD_CURRENT),
    elasticFixture('guardduty', GD_ECS_1_12, {}, GD_ECS_1_12_EXPECTED),
  ],
  comparedFields: GUARDDUTY_COMPARED_FIELDS,
  comparedPrefixes: [],
  deviations: [
    // Found by this report, not by the parser test (whose comparison copies the finding id into event.id).
    eventIdDeviation('the finding id', 'aws.guardduty.id'),
    ...GUARDDUTY_DEVIATIONS,
  ],
  values: GUARDDUTY_VALUES,
  ours: (doc) => flatten(doc, INDEXED),
  theirs: (expected) => flatten(expected, INDEXED),
};

// --- Route 53 Resolver (tests/unit/parse/route53-resolver.test.ts) -------------------------------

/**
 * The fields compared, as [our field, Elastic's field]. Elastic keeps Resolver-specific fields at
 * `aws.vpc_id`, `aws.instance_id` and `aws.route53.firewall.*`; ours live in `aws.route53_resolver.*`.
 */
export const ROUTE53_FIELD_MAP: ReadonlyArray<readonly [string, string]> = [
  ['@timestamp', '@timestamp'],
  ['dns.question.name', 'dns.question.name'],
  ['dns.question.type', 'dns.question.type'],
  ['dns.question.class', 'dns.question.class'],
  ['dns.response_code', 'dns.response_code'],
  ['dns.answers', 'dns.answers'],
  ['source.ip', 'source.ip'],
  ['source.address', 'source.address'],
  ['source.port', 'source.port'],
  ['network.transport', 'network.transport'],
  ['network.type', 'network.type'],
  ['network.protocol', 'network.protocol'],
  ['network.iana_number', 'network.iana_number'],
  ['cloud.account.id', 'cloud.account.id'],
  ['cloud.region', 'cloud.region'],
  ['cloud.instance.id', 'cloud.instance.id'],
  ['event.kind', 'event.kind'],
  ['event.outcome', 'event.outcome'],
  ['event.category', 'event.category'],
  ['event.type', 'event.type'],
  ['event.action', 'event.action'],
  ['aws.route53_resolver.vpc_id', 'aws.vpc_id'],
  ['aws.route53_resolver.srcids.instance', 'aws.instance_id'],
  ['aws.route53_resolver.firewall.rule_action', 'aws.route53.firewall.action'],
  ['aws.route53_resolver.firewall.rule_group_id', 'aws.route53.firewall.rule_group.id'],
  ['aws.route53_resolver.firewall.domain_list_id', 'aws.route53.firewall.domain_list.id'],
];

/** Elastic keeps the A/AAAA answer data (in related.ip); ECS puts them in dns.resolved_ip. */
export function expectedResolvedIps(expected: unknown): string[] | undefined {
  const answers =
    (expected as { dns?: { answers?: { type?: string; data?: string }[] } } | null)?.dns?.answers ?? [];
  const ips = answers.filter((a) => a.type === 'A' || a.type === 'AAAA').map((a) => a.data ?? '');
  return ips.length > 0 ? ips : undefined;
}

export const ROUTE53_FIXTURE = 'integrations_test-route53.log';

/** Deliberate differences from Elastic, shared by the parser test and this report. */
export const ROUTE53_DEVIATIONS: readonly Deviation[] = [
  {
    field: 'event.action',
    why: 'event.action is the DNS Firewall verdict in lower case (ECS action); Elastic keeps the verdict only in aws.route53.firewall.action',
    when: (_ours, _theirs, doc) => doc.get('aws.route53_resolver.firewall.rule_action') !== undefined,
  },
];

const ROUTE53_RESOLVER: SourceSpec = {
  source: 'route53_resolver',
  logGroup: '/aws/route53/resolver-query-logs',
  fixtures: [elasticFixture('route53_resolver', ROUTE53_FIXTURE)],
  comparedFields: [...ROUTE53_FIELD_MAP.map(([ours]) => ours), 'dns.resolved_ip'],
  comparedPrefixes: [],
  deviations: ROUTE53_DEVIATIONS,
  values: {},
  ours: (doc) => flatten(doc),
  // Elastic's document moved into our field names, so the report names our fields.
  theirs: (expected) => {
    const flat = flatten(expected);
    const moved: Flat = new Map();
    for (const [ours, theirs] of ROUTE53_FIELD_MAP) if (flat.has(theirs)) moved.set(ours, flat.get(theirs));
    const resolved = expectedResolvedIps(expected);
    if (resolved !== undefined) moved.set('dns.resolved_ip', resolved);
    return moved;
  },
};

// --- Lambda (tests/unit/parse/lambda.test.ts) ----------------------------------------------------

interface DatadogCase {
  readonly test: string;
  readonly input: string;
  readonly expected_file?: string | null;
}
interface DatadogMetric {
  readonly name: string;
  readonly tags: readonly string[];
  readonly value: number;
}

/** Datadog's metric values from our document: durations in seconds, memory in MB, plus their tags. */
function asDatadogMetrics(doc: LogDocument): Flat {
  const lambda = doc.aws?.lambda ?? {};
  const out: Flat = new Map();
  const metric = (name: string, value: number): void => {
    out.set(name, value);
    if (lambda.memory_size_mb !== undefined)
      out.set(`${name}.tags.memorysize`, String(lambda.memory_size_mb));
    if (doc.faas?.coldstart !== undefined) out.set(`${name}.tags.cold_start`, String(doc.faas.coldstart));
  };
  if (lambda.duration_ms !== undefined) metric('aws.lambda.enhanced.duration', lambda.duration_ms / 1000);
  if (lambda.billed_duration_ms !== undefined)
    metric('aws.lambda.enhanced.billed_duration', lambda.billed_duration_ms / 1000);
  if (lambda.max_memory_used_mb !== undefined)
    metric('aws.lambda.enhanced.max_memory_used', lambda.max_memory_used_mb);
  if (lambda.init_duration_ms !== undefined)
    metric('aws.lambda.enhanced.init_duration', lambda.init_duration_ms / 1000);
  if (lambda.status === 'timeout') metric('aws.lambda.enhanced.timeouts', 1);
  return out;
}

/** Datadog's approved metrics in the same key space: `<metric>` and `<metric>.tags.<tag>`. */
function datadogFlat(expected: unknown): Flat {
  const out: Flat = new Map();
  for (const metric of expected as readonly DatadogMetric[]) {
    out.set(metric.name, metric.value);
    for (const tag of metric.tags) {
      const [key = '', value] = tag.split(':');
      out.set(`${metric.name}.tags.${key}`, value);
    }
  }
  return out;
}

const LAMBDA_CASES = 'datadog_lambda_report_cases.json';

/** Deliberate differences from Datadog, shared by the parser test and this report. */
export const LAMBDA_DEVIATIONS: readonly Deviation[] = [
  {
    field: 'aws.lambda.enhanced.estimated_cost',
    why: 'estimated_cost is derived from a price list, not in the log',
  },
];

/** Datadog divides milliseconds by 1000 in floating point. */
export const LAMBDA_VALUES: ValueRules = { relativeTolerance: 1e-9 };

const LAMBDA: SourceSpec = {
  source: 'lambda',
  logGroup: '/aws/lambda/my-function',
  fixtures: [
    {
      name: LAMBDA_CASES,
      expectedFile: 'datadog_TestEnhancedLambdaMetrics.*.approved.json',
      // Only the cases with an approved file: the others assert no metrics, covered by lambda.test.ts.
      records: () =>
        fixture<{ cases: DatadogCase[] }>(`lambda/${LAMBDA_CASES}`).cases.flatMap((c, index) =>
          typeof c.expected_file === 'string'
            ? [{ index, input: c.input, expected: fixture(`lambda/${c.expected_file}`) }]
            : [],
        ),
    },
  ],
  comparedFields: [],
  comparedPrefixes: ['aws.lambda.enhanced.'],
  deviations: LAMBDA_DEVIATIONS,
  values: LAMBDA_VALUES,
  ours: asDatadogMetrics,
  theirs: datadogFlat,
};

/** Every source compared, with its fixtures, compared fields and deliberate deviations. */
export const AGREEMENT_SPECS: readonly SourceSpec[] = [
  VPCFLOW,
  CLOUDTRAIL,
  GUARDDUTY,
  ROUTE53_RESOLVER,
  LAMBDA,
];

/** Agreement of one fixture under the full pipeline. */
export interface AgreementRow {
  readonly source: string;
  readonly fixture: string;
  /** Records compared (blank lines and records the third party drops are not counted). */
  readonly records: number;
  /** Field values compared; deviations are not counted here. */
  readonly compared: number;
  readonly agreed: number;
  /** Field values skipped because a documented deviation applies. */
  readonly deviations: number;
  /** One line per disagreement: record, field, ours and theirs. */
  readonly disagreements: readonly string[];
}

function deviationFor(
  spec: SourceSpec,
  fixtureName: string,
  index: number,
  path: string,
  ours: unknown,
  theirs: unknown,
  doc: Flat,
): Deviation | undefined {
  return spec.deviations.find(
    (d) =>
      covers(d.field, path) &&
      (d.where === undefined ||
        d.where.includes(fixtureName) ||
        d.where.includes(`${fixtureName}#${index}`)) &&
      (d.when === undefined || d.when(ours, theirs, doc)),
  );
}

function measureFixture(spec: SourceSpec, fx: FixtureSpec): AgreementRow {
  const decoder = createDecoder(fx.decoder);
  const isCompared = (path: string): boolean =>
    spec.comparedFields.includes(path) || spec.comparedPrefixes.some((prefix) => path.startsWith(prefix));
  let records = 0;
  let compared = 0;
  let agreed = 0;
  let deviations = 0;
  const disagreements: string[] = [];
  for (const record of fx.records()) {
    const messages = fx.header === undefined ? [record.input] : [fx.header, record.input];
    const { documents } = decoder.decodeEvents(dataMessage(spec.logGroup, messages));
    if (record.expected === null) {
      // They drop the event ({"findings":[]}); so must we.
      if (documents.length !== 0)
        disagreements.push(`#${record.index}: ${documents.length} documents, expected none`);
      continue;
    }
    const [doc] = documents;
    if (doc === undefined || documents.length !== 1 || doc.tags !== undefined) {
      disagreements.push(
        `#${record.index}: expected one parsed document, got ${documents.length} (tags ${JSON.stringify(doc?.tags)}: ${doc?.error?.message ?? ''})`,
      );
      continue;
    }
    records++;
    const ours = spec.ours(doc);
    const theirs = spec.theirs(record.expected);
    const paths = new Set([...spec.comparedFields, ...ours.keys(), ...theirs.keys()].filter(isCompared));
    for (const path of paths) {
      const mine = ours.get(path);
      const want = theirs.get(path);
      if (mine === undefined && want === undefined) continue;
      if (deviationFor(spec, fx.name, record.index, path, mine, want, ours) !== undefined) {
        deviations++;
        continue;
      }
      compared++;
      if (sameValue(path, mine, want, spec.values)) agreed++;
      else
        disagreements.push(
          `#${record.index} ${path}: ours ${JSON.stringify(mine)}, theirs ${JSON.stringify(want)}`,
        );
    }
  }
  return { source: spec.source, fixture: fx.name, records, compared, agreed, deviations, disagreements };
}

/**
 * Decodes every fixture record through `createDecoder().decodeEvents` (so event.id, cloud.* and
 * aws.cloudwatch come from normalize, as in production) and compares it with the expected output.
 */
export function measureAgreement(specs: readonly SourceSpec[] = AGREEMENT_SPECS): AgreementRow[] {
  return specs.flatMap((spec) => spec.fixtures.map((fx) => measureFixture(spec, fx)));
}

function percent(agreed: number, compared: number): string {
  return compared === 0 ? 'n/a' : `${((100 * agreed) / compared).toFixed(1)}%`;
}

/** The rows as a Markdown table, with a total line per source and one for everything. */
export function formatAgreementTable(rows: readonly AgreementRow[]): string {
  const line = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
  const out = [
    line(['source', 'fixture', 'records', 'compared', 'agreed', 'deviations', 'agreement']),
    line(['---', '---', '---:', '---:', '---:', '---:', '---:']),
  ];
  const total = (part: readonly AgreementRow[]): [number, number, number, number] => [
    part.reduce((n, r) => n + r.records, 0),
    part.reduce((n, r) => n + r.compared, 0),
    part.reduce((n, r) => n + r.agreed, 0),
    part.reduce((n, r) => n + r.deviations, 0),
  ];
  const sources = [...new Set(rows.map((r) => r.source))];
  for (const source of sources) {
    const part = rows.filter((r) => r.source === source);
    for (const r of part)
      out.push(
        line([
          r.source,
          `\`${r.fixture}\``,
          r.records,
          r.compared,
          r.agreed,
          r.deviations,
          percent(r.agreed, r.compared),
        ]),
      );
    const [records, compared, agreed, deviations] = total(part);
    out.push(
      line([
        `**${source}**`,
        '**total**',
        records,
        compared,
        agreed,
        deviations,
        `**${percent(agreed, compared)}**`,
      ]),
    );
  }
  const [records, compared, agreed, deviations] = total(rows);
  out.push(
    line(['**all**', '**total**', records, compared, agreed, deviations, `**${percent(agreed, compared)}**`]),
  );
  return out.join('\n');
}
