import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGuardDutyFinding, parseGuardDuty, severityLabelOf } from '../../../src/parse/guardduty.ts';
import { isParseFailure } from '../../../src/parse/types.ts';
import type { ParseContext, ParsedEvent, ParseResult } from '../../../src/parse/types.ts';
import {
  asElasticDocument,
  flatten,
  GD_CURRENT as CURRENT,
  GD_ECS_1_12 as ECS_1_12,
  GD_ECS_1_12_EXPECTED,
  GUARDDUTY_COMPARED_FIELDS,
  GUARDDUTY_DEVIATIONS,
  GUARDDUTY_VALUES,
  INDEXED,
  tallyRecord,
} from '../../support/agreement.ts';
import type { ParserAgreement } from '../../support/agreement.ts';
import { expectValidOutput, forAll, forAllJson, forMutated } from '../../support/never-throws.ts';

const FIXTURES = new URL('../../fixtures/guardduty/', import.meta.url);
const CTX: ParseContext = { logGroup: '/aws/events/guardduty', logStream: 'findings', owner: '999999999999' };

// --- Elastic agreement ---------------------------------------------------------------------------

// Compared fields, deliberate differences (by file, or record `<file>#<index>`; a field ending in
// "." is a prefix) and value rules: tests/support/agreement.ts, shared with the full-pipeline
// agreement report.

const EXPECTED_FILES: Readonly<Record<string, string>> = {
  [CURRENT]: `${CURRENT}-expected.json`,
  [ECS_1_12]: GD_ECS_1_12_EXPECTED,
};

const RULES = { deviations: GUARDDUTY_DEVIATIONS, values: GUARDDUTY_VALUES };

function compareFile(logFile: string, expectedFile: string): ParserAgreement {
  const lines = readFileSync(new URL(logFile, FIXTURES), 'utf8')
    .split('\n')
    .filter((line) => line !== '');
  const expected = (
    JSON.parse(readFileSync(new URL(expectedFile, FIXTURES), 'utf8')) as { expected: unknown[] }
  ).expected;
  expect(lines).toHaveLength(expected.length);
  const result: ParserAgreement = { compared: 0, agreed: 0, disagreements: [] };
  lines.forEach((line, index) => {
    const output = parseGuardDuty(line, CTX);
    if (expected[index] === null) {
      // {"findings":[]}: Elastic drops the event, we return no results.
      expect(output).toEqual([]);
      return;
    }
    if (Array.isArray(output) || isParseFailure(output as ParseResult))
      throw new Error(`${logFile}#${index}: ${JSON.stringify(output)}`);
    // Our document as Elastic lays it out, with the finding id as event.id.
    const ours = asElasticDocument(output as ParsedEvent, 'aws.guardduty.id');
    const theirs = flatten(expected[index], INDEXED);
    const paths = new Set(
      [...ours.keys(), ...theirs.keys()].filter((path) => GUARDDUTY_COMPARED_FIELDS.includes(path)),
    );
    tallyRecord(result, RULES, logFile, index, paths, ours, theirs);
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
    const event = {
      version: '0',
      id: 'e1',
      'detail-type': 'GuardDuty Finding',
      source: 'aws.guardduty',
      account: '123412341234',
      time: '2022-11-22T12:22:21Z',
      region: 'us-east-1',
      resources: [],
      detail: BASE,
    };
    expect(isGuardDutyFinding(event)).toBe(true);
    expect(parseOne(event)).toEqual(parseOne(BASE));
  });

  it('other EventBridge detail types are rejected', () => {
    expect(
      isParseFailure(
        parseGuardDuty(
          '{"detail-type":"EC2 Instance State-change Notification","detail":{}}',
          CTX,
        ) as ParseResult,
      ),
    ).toBe(true);
  });

  it('{"findings":[…]} → one result per finding; [] → nothing', () => {
    const list = { findings: FINDINGS };
    expect(parseGuardDuty(JSON.stringify(list), CTX, list)).toEqual(
      FINDINGS.map((finding) => parseOne(finding)),
    );
    expect(parseGuardDuty('{"findings":[]}', CTX)).toEqual([]);
    // Content alone does not claim an empty list: only a GuardDuty log group's is GuardDuty's.
    expect(isGuardDutyFinding({ findings: [] })).toBe(false);
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
    const parsed = parseOne(
      withAction({
        actionType: 'NETWORK_CONNECTION',
        networkConnectionAction: {
          connectionDirection: 'INBOUND',
          protocol: 'TCP',
          remoteIpDetails: { ipAddressV4: '198.51.100.7' },
          remotePortDetails: { port: 40000 },
          localIpDetails: { ipAddressV4: '10.0.0.5' },
          localPortDetails: { port: 22 },
        },
      }),
    );
    expect(parsed.fields.source).toEqual({ address: '198.51.100.7', ip: '198.51.100.7', port: 40000 });
    expect(parsed.fields.destination).toEqual({ address: '10.0.0.5', ip: '10.0.0.5', port: 22 });
    expect(parsed.fields.network).toEqual({ transport: 'tcp', direction: 'inbound' });
  });

  it('NETWORK_CONNECTION OUTBOUND → local is source, remote is destination', () => {
    const parsed = parseOne(
      withAction({
        actionType: 'NETWORK_CONNECTION',
        networkConnectionAction: {
          connectionDirection: 'OUTBOUND',
          remoteIpDetails: { ipAddressV4: '198.51.100.7' },
          remotePortDetails: { port: 443 },
          localIpDetails: { ipAddressV4: '10.0.0.5' },
        },
      }),
    );
    expect(parsed.fields.source).toEqual({ address: '10.0.0.5', ip: '10.0.0.5' });
    expect(parsed.fields.destination).toEqual({ address: '198.51.100.7', ip: '198.51.100.7', port: 443 });
  });

  it('PORT_PROBE → the first prober is source, the probed port is destination.port', () => {
    const parsed = parseOne(
      withAction({
        actionType: 'PORT_PROBE',
        portProbeAction: {
          blocked: false,
          portProbeDetails: [
            { localPortDetails: { port: 3389 }, remoteIpDetails: { ipAddressV4: '203.0.113.9' } },
          ],
        },
      }),
    );
    expect(parsed.fields.source).toEqual({ address: '203.0.113.9', ip: '203.0.113.9' });
    expect(parsed.fields.destination).toEqual({ port: 3389 });
    expect(parsed.fields.event?.action).toBe('PORT_PROBE');
  });

  it('type without "/" → rule.category only', () => {
    expect(parseOne({ ...BASE, type: 'Recon:Something' }).fields.rule).toEqual({
      name: 'Recon:Something',
      category: 'Recon',
    });
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
    expect(
      isGuardDutyFinding({
        eventVersion: '1.08',
        eventSource: 'guardduty.amazonaws.com',
        eventName: 'GetFindings',
      }),
    ).toBe(false);
    expect(isGuardDutyFinding(null)).toBe(false);
    expect(isGuardDutyFinding([BASE])).toBe(false);
  });
});

// --- Property: never throws, always a valid result -----------------------------------------------

const DATASET = 'aws.guardduty';

/** Parsing `json` (as text, and as the value) gives a valid output, and recognizing it a boolean. */
function checkJson(text: string, json: unknown): void {
  expectValidOutput(parseGuardDuty(text, CTX, json), DATASET);
  expect(typeof isGuardDutyFinding(json)).toBe('boolean');
}

describe('parseGuardDuty never throws', () => {
  it('on mutated fixture findings, bare, EventBridge-wrapped or listed (10,000 runs)', () => {
    forMutated(
      FINDINGS,
      fc.constantFrom('bare' as const, 'eventbridge' as const, 'list' as const),
      10_000,
      (finding, shape) => {
        const json =
          shape === 'bare'
            ? finding
            : shape === 'list'
              ? { findings: [finding] }
              : { 'detail-type': 'GuardDuty Finding', detail: finding };
        checkJson(JSON.stringify(json) ?? '', json);
      },
    );
  });

  it('on any JSON value and any string', () => {
    forAllJson(
      fc.oneof(
        fc.jsonValue(),
        fc.record({ findings: fc.jsonValue() }),
        fc.record({ 'detail-type': fc.constant('GuardDuty Finding'), detail: fc.jsonValue() }),
      ),
      5_000,
      checkJson,
    );
    forAll(fc.string(), 5_000, (message) => expectValidOutput(parseGuardDuty(message, CTX), DATASET));
  });
});
