import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGuardDutyFinding, parseGuardDuty, severityLabelOf } from '../../../src/parse/guardduty.ts';
import { isParseFailure } from '../../../src/parse/types.ts';
import type { ParseContext, ParsedEvent, ParseOutput, ParseResult } from '../../../src/parse/types.ts';
import { flatten, sameValue } from '../../support/agreement.ts';
import type { Flat, FlattenOptions } from '../../support/agreement.ts';
import { mutate, mutationArb } from '../../support/mutate.ts';

const FIXTURES = new URL('../../fixtures/guardduty/', import.meta.url);
const CTX: ParseContext = { logGroup: '/aws/events/guardduty', logStream: 'findings', owner: '999999999999' };

// --- Elastic agreement ---------------------------------------------------------------------------

/** Fields compared with Elastic's expected documents. */
const COMPARED_FIELDS = [
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

/** Deliberate differences on every record, by field. */
const DELIBERATE: Readonly<Record<string, string>> = {
  'aws.guardduty.resource.id': 'ours only: the most specific resource id (instance, access key, cluster, DB, bucket)',
};

const CURRENT = 'integrations_test-guardduty.log';
const ECS_1_12 = 'integrations_test-guard_duty.log.EXCERPT-line1.log';

/** Deliberate differences per file (and per record, `<file>#<index>`); a key ending in "." is a prefix. */
const DELIBERATE_CASES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  [CURRENT]: {
    'event.kind': 'we write "alert" (ECS: detection made outside the stack; Elastic ECS 1.12 agrees), Elastic 8.x writes ["event"]',
    'cloud.availability_zone': 'we map instanceDetails.availabilityZone (as Elastic ECS 1.12 did); Elastic 8.x does not',
  },
  [`${CURRENT}#2`]: {
    'user.id': 'Elastic lists two ids (access key principal and Kubernetes uid); ours is one (the access key principal)',
  },
  [`${CURRENT}#3`]: {
    'source.ip': 'RDS_LOGIN_ATTEMPT: Elastic sets source.address only; we also set source.ip when the address is an IP',
  },
  [ECS_1_12]: {
    'aws.guardduty.': 'ECS 1.12 pipeline: its aws.guardduty layout predates the current one (the expected aws is {})',
    'message': 'ECS 1.12 pipeline had no message',
    'event.created': 'ECS 1.12 pipeline wrote the ingest time, not createdAt',
    'event.start': 'ECS 1.12 pipeline kept eventFirstSeen under aws.guardduty only',
    'event.end': 'ECS 1.12 pipeline kept eventLastSeen under aws.guardduty only',
  },
};

const EXPECTED_FILES: Readonly<Record<string, string>> = {
  [CURRENT]: `${CURRENT}-expected.json`,
  [ECS_1_12]: 'integrations_test-guard_duty.log-expected.EXCERPT-record1.json',
};

/** Arrays of objects are walked by index; arrays of scalars stay values. */
const INDEXED: FlattenOptions = { indexObjectArrays: true };

/** Our document as Elastic lays it out: @timestamp from the epoch ms, the finding id as event.id. */
function comparable(parsed: ParsedEvent): Flat {
  const flat = flatten(parsed.fields, INDEXED);
  if (parsed.timestamp !== undefined) flat.set('@timestamp', new Date(parsed.timestamp).toISOString());
  const id = flat.get('aws.guardduty.id');
  if (id !== undefined) flat.set('event.id', id);
  return flat;
}

// Elastic's 8.x pipeline writes some single values as one-element arrays (source.ip, event.kind,
// network.transport, user.name); ECS reads a one-element array as the value.
function agrees(path: string, ours: unknown, theirs: unknown): boolean {
  return sameValue(path, ours, theirs, { singletonArrays: true });
}

function excluded(path: string, reasons: Readonly<Record<string, string>>): boolean {
  return Object.keys(reasons).some((key) => (key.endsWith('.') ? path.startsWith(key) : path === key));
}

interface Agreement {
  compared: number;
  agreed: number;
  disagreements: string[];
}

function compareFile(logFile: string, expectedFile: string): Agreement {
  const lines = readFileSync(new URL(logFile, FIXTURES), 'utf8').split('\n').filter((line) => line !== '');
  const expected = (JSON.parse(readFileSync(new URL(expectedFile, FIXTURES), 'utf8')) as { expected: unknown[] }).expected;
  expect(lines).toHaveLength(expected.length);
  const result: Agreement = { compared: 0, agreed: 0, disagreements: [] };
  lines.forEach((line, index) => {
    const output = parseGuardDuty(line, CTX);
    if (expected[index] === null) {
      // {"findings":[]}: Elastic drops the event, we return no results.
      expect(output).toEqual([]);
      return;
    }
    if (Array.isArray(output) || isParseFailure(output as ParseResult)) throw new Error(`${logFile}#${index}: ${JSON.stringify(output)}`);
    const ours = comparable(output as ParsedEvent);
    const theirs = flatten(expected[index], INDEXED);
    const reasons = { ...DELIBERATE, ...DELIBERATE_CASES[logFile], ...DELIBERATE_CASES[`${logFile}#${index}`] };
    const paths = new Set([...ours.keys(), ...theirs.keys()].filter((path) => COMPARED_FIELDS.includes(path)));
    for (const path of paths) {
      if (excluded(path, reasons)) continue;
      result.compared++;
      if (agrees(path, ours.get(path), theirs.get(path))) result.agreed++;
      else result.disagreements.push(`#${index} ${path}: ours ${JSON.stringify(ours.get(path))}, Elastic ${JSON.stringify(theirs.get(path))}`);
    }
  });
  return result;
}

describe('parseGuardDuty agrees with Elastic', () => {
  it.each(Object.entries(EXPECTED_FILES))('%s', (logFile, expectedFile) => {
    const agreement = compareFile(logFile, expectedFile);
    console.info(`guardduty agreement ${logFile}: ${agreement.agreed}/${agreement.compared}`);
    expect(agreement.disagreements).toEqual([]);
    expect(agreement.compared).toBeGreaterThan(10);
  });
});

// --- Variants built from a base fixture, one change each -----------------------------------------

function fixtureFindings(logFile: string): Record<string, unknown>[] {
  return readFileSync(new URL(logFile, FIXTURES), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((json) => !('findings' in json));
}

const FINDINGS = [
  ...fixtureFindings(CURRENT),
  ...fixtureFindings(ECS_1_12),
  ...fixtureFindings('integrations_test-guardduty.log.28d3f1b-line5-runtime.INPUT-ONLY.log'),
];
const BASE = FINDINGS[0] as Record<string, unknown>;

function parseOne(json: unknown): ParsedEvent {
  const output = parseGuardDuty(JSON.stringify(json), CTX, json);
  if (Array.isArray(output) || isParseFailure(output as ParseResult)) throw new Error(JSON.stringify(output));
  return output as ParsedEvent;
}

function withAction(action: unknown): Record<string, unknown> {
  return { ...BASE, service: { ...(BASE['service'] as Record<string, unknown>), action } };
}

describe('parseGuardDuty variants', () => {
  it('EventBridge wrapper → the same document as the bare finding', () => {
    const event = { version: '0', id: 'e1', 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', account: '123412341234', time: '2022-11-22T12:22:21Z', region: 'us-east-1', resources: [], detail: BASE };
    expect(isGuardDutyFinding(event)).toBe(true);
    expect(parseOne(event)).toEqual(parseOne(BASE));
  });

  it('other EventBridge detail types are rejected', () => {
    expect(isParseFailure(parseGuardDuty('{"detail-type":"EC2 Instance State-change Notification","detail":{}}', CTX) as ParseResult)).toBe(true);
  });

  it('{"findings":[…]} → one result per finding; [] → nothing', () => {
    const list = { findings: FINDINGS };
    expect(parseGuardDuty(JSON.stringify(list), CTX, list)).toEqual(FINDINGS.map((finding) => parseOne(finding)));
    expect(parseGuardDuty('{"findings":[]}', CTX)).toEqual([]);
    expect(isGuardDutyFinding({ findings: [] })).toBe(true);
  });

  it.each([
    [1, 'Low'],
    [3.9, 'Low'],
    [4, 'Medium'],
    [6.9, 'Medium'],
    [7, 'High'],
    [8.9, 'High'],
    [9, 'Critical'],
    [10, 'Critical'],
  ] as const)('severity %d → %s', (severity, label) => {
    expect(severityLabelOf(severity)).toBe(label);
    const parsed = parseOne({ ...BASE, severity });
    expect(parsed.fields.event?.severity).toBe(severity);
    expect(parsed.fields.aws?.guardduty?.severity).toEqual({ code: severity, value: label });
  });

  it('NETWORK_CONNECTION INBOUND → remote is source, local is destination', () => {
    const parsed = parseOne(withAction({ actionType: 'NETWORK_CONNECTION', networkConnectionAction: { connectionDirection: 'INBOUND', protocol: 'TCP', remoteIpDetails: { ipAddressV4: '198.51.100.7' }, remotePortDetails: { port: 40000 }, localIpDetails: { ipAddressV4: '10.0.0.5' }, localPortDetails: { port: 22 } } }));
    expect(parsed.fields.source).toEqual({ address: '198.51.100.7', ip: '198.51.100.7', port: 40000 });
    expect(parsed.fields.destination).toEqual({ address: '10.0.0.5', ip: '10.0.0.5', port: 22 });
    expect(parsed.fields.network).toEqual({ transport: 'tcp', direction: 'inbound' });
  });

  it('NETWORK_CONNECTION OUTBOUND → local is source, remote is destination', () => {
    const parsed = parseOne(withAction({ actionType: 'NETWORK_CONNECTION', networkConnectionAction: { connectionDirection: 'OUTBOUND', remoteIpDetails: { ipAddressV4: '198.51.100.7' }, remotePortDetails: { port: 443 }, localIpDetails: { ipAddressV4: '10.0.0.5' } } }));
    expect(parsed.fields.source).toEqual({ address: '10.0.0.5', ip: '10.0.0.5' });
    expect(parsed.fields.destination).toEqual({ address: '198.51.100.7', ip: '198.51.100.7', port: 443 });
  });

  it('PORT_PROBE → the first prober is source, the probed port is destination.port', () => {
    const parsed = parseOne(withAction({ actionType: 'PORT_PROBE', portProbeAction: { blocked: false, portProbeDetails: [{ localPortDetails: { port: 3389 }, remoteIpDetails: { ipAddressV4: '203.0.113.9' } }] } }));
    expect(parsed.fields.source).toEqual({ address: '203.0.113.9', ip: '203.0.113.9' });
    expect(parsed.fields.destination).toEqual({ port: 3389 });
    expect(parsed.fields.event?.action).toBe('PORT_PROBE');
  });

  it('type without "/" → rule.category only', () => {
    expect(parseOne({ ...BASE, type: 'Recon:Something' }).fields.rule).toEqual({ name: 'Recon:Something', category: 'Recon' });
  });

  it('a finding with only an id still parses', () => {
    const parsed = parseOne({ id: 'abc' });
    expect(parsed.fields.aws?.guardduty?.id).toBe('abc');
    expect(parsed.timestamp).toBeUndefined();
  });

  it('rejects what is not a finding', () => {
    expect(parseGuardDuty('nope', CTX)).toEqual({ failure: 'guardduty: message is not JSON' });
    expect(isParseFailure(parseGuardDuty('{"foo":1}', CTX) as ParseResult)).toBe(true);
    expect(isParseFailure(parseGuardDuty('{"findings":{}}', CTX) as ParseResult)).toBe(true);
  });
});

describe('isGuardDutyFinding', () => {
  it('accepts every fixture finding', () => {
    for (const finding of FINDINGS) expect(isGuardDutyFinding(finding)).toBe(true);
  });
  it('rejects CloudTrail events and non-objects', () => {
    expect(isGuardDutyFinding({ eventVersion: '1.08', eventSource: 'guardduty.amazonaws.com', eventName: 'GetFindings' })).toBe(false);
    expect(isGuardDutyFinding(null)).toBe(false);
    expect(isGuardDutyFinding([BASE])).toBe(false);
  });
});

// --- Property: never throws, always a valid result -----------------------------------------------

function assertValid(output: ParseOutput): void {
  const results: readonly ParseResult[] = Array.isArray(output) ? output : [output as ParseResult];
  for (const result of results) {
    if (isParseFailure(result)) {
      expect(typeof result.failure).toBe('string');
      continue;
    }
    expect(result.dataset).toBe('aws.guardduty');
    if (result.timestamp !== undefined) expect(Number.isFinite(result.timestamp)).toBe(true);
    expect(typeof result.fields).toBe('object');
    JSON.stringify(result.fields);
  }
}

describe('parseGuardDuty never throws', () => {
  it('on mutated fixture findings, bare, EventBridge-wrapped or listed (10,000 runs)', () => {
    fc.assert(
      fc.property(
        fc.nat(FINDINGS.length - 1),
        fc.array(mutationArb, { maxLength: 6 }),
        fc.constantFrom('bare' as const, 'eventbridge' as const, 'list' as const),
        (baseIndex, mutations, shape) => {
          const finding = mutate(FINDINGS[baseIndex], mutations);
          const json =
            shape === 'bare' ? finding : shape === 'list' ? { findings: [finding] } : { 'detail-type': 'GuardDuty Finding', detail: finding };
          assertValid(parseGuardDuty(JSON.stringify(json) ?? '', CTX, json));
          expect(typeof isGuardDutyFinding(json)).toBe('boolean');
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it('on any JSON value and any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ findings: fc.jsonValue() }), fc.record({ 'detail-type': fc.constant('GuardDuty Finding'), detail: fc.jsonValue() })), (json) => {
        assertValid(parseGuardDuty(JSON.stringify(json) ?? '', CTX, json));
        expect(typeof isGuardDutyFinding(json)).toBe('boolean');
      }),
      { numRuns: 5_000 },
    );
    fc.assert(
      fc.property(fc.string(), (message) => assertValid(parseGuardDuty(message, CTX))),
      { numRuns: 5_000 },
    );
  });
});
