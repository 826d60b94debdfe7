import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCloudTrailRecord, parseCloudTrail } from '../../../src/parse/cloudtrail.ts';
import { isParseFailure } from '../../../src/parse/types.ts';
import type { ParseContext, ParsedEvent, ParseResult } from '../../../src/parse/types.ts';
import {
  asElasticDocument,
  CLOUDTRAIL_COMPARED_FIELDS,
  CLOUDTRAIL_COMPARED_PREFIXES,
  CLOUDTRAIL_DEVIATIONS,
  CLOUDTRAIL_VALUES,
  flatten,
  INDEXED,
  tallyRecord,
} from '../../support/agreement.ts';
import type { ParserAgreement } from '../../support/agreement.ts';
import { expectValidOutput, forAll, forAllJson, forMutated } from '../../support/never-throws.ts';

const FIXTURES = new URL('../../fixtures/cloudtrail/', import.meta.url);
const CTX: ParseContext = {
  logGroup: 'aws-cloudtrail-logs-central',
  logStream: 'o-abc_CloudTrail_us-east-1',
  owner: '999999999999',
};

// --- Elastic agreement ---------------------------------------------------------------------------

// Compared fields and prefixes, deliberate differences and value rules: tests/support/agreement.ts,
// shared with the full-pipeline agreement report.

function isCompared(path: string): boolean {
  return (
    CLOUDTRAIL_COMPARED_FIELDS.includes(path) ||
    CLOUDTRAIL_COMPARED_PREFIXES.some((prefix) => path.startsWith(prefix))
  );
}

const RULES = { deviations: CLOUDTRAIL_DEVIATIONS, values: CLOUDTRAIL_VALUES };

function compareFile(logFile: string): ParserAgreement {
  const text = readFileSync(new URL(logFile, FIXTURES), 'utf8');
  const lines = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  const expected = (
    JSON.parse(readFileSync(new URL(`${logFile}-expected.json`, FIXTURES), 'utf8')) as { expected: unknown[] }
  ).expected;
  expect(lines).toHaveLength(expected.length);
  const result: ParserAgreement = { compared: 0, agreed: 0, disagreements: [] };
  lines.forEach((line, index) => {
    // A blank line gives Elastic a near-empty document; our pipeline drops empty messages before
    // any parser runs, so there is nothing to compare.
    if (line.trim() === '') return;
    const output = parseCloudTrail(line, CTX);
    if (Array.isArray(output) || isParseFailure(output as ParseResult))
      throw new Error(`${logFile}#${index}: ${JSON.stringify(output)}`);
    // Our document as Elastic lays it out, with CloudTrail's eventID as event.id.
    const ours = asElasticDocument(output as ParsedEvent, 'aws.cloudtrail.event_id');
    const theirs = flatten(expected[index], INDEXED);
    tallyRecord(
      result,
      RULES,
      logFile,
      index,
      new Set([...ours.keys(), ...theirs.keys()].filter(isCompared)),
      ours,
      theirs,
    );
  });
  return result;
}

const LOG_FILES = readdirSync(FIXTURES).filter((name) => name.endsWith('.log'));

describe('parseCloudTrail agrees with Elastic', () => {
  it('has fixtures', () => {
    expect(LOG_FILES.length).toBeGreaterThanOrEqual(9);
  });
  it.each(LOG_FILES)('%s', (logFile) => {
    const agreement = compareFile(logFile);
    console.info(`cloudtrail agreement ${logFile}: ${agreement.agreed}/${agreement.compared}`);
    expect(agreement.disagreements).toEqual([]);
    expect(agreement.compared).toBeGreaterThan(10);
  });
});

// --- Variants built from a base fixture, one change each -----------------------------------------

function fixtureRecords(logFile: string): Record<string, unknown>[] {
  return readFileSync(new URL(logFile, FIXTURES), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const [BASE] = fixtureRecords('integrations_test-get-caller-identity-json.log') as [Record<string, unknown>];

function parseOne(record: unknown): ParsedEvent {
  const output = parseCloudTrail(JSON.stringify(record), CTX, record);
  if (Array.isArray(output) || isParseFailure(output as ParseResult)) throw new Error(JSON.stringify(output));
  return output as ParsedEvent;
}

describe('parseCloudTrail variants', () => {
  it('maps the base fixture to success', () => {
    const parsed = parseOne(BASE);
    expect(parsed.dataset).toBe('aws.cloudtrail');
    expect(parsed.timestamp).toBe(Date.parse(BASE['eventTime'] as string));
    expect(parsed.fields.event?.outcome).toBe('success');
    expect(parsed.fields.aws?.cloudtrail?.event_id).toBe(BASE['eventID']);
  });

  it('errorCode → failure, error.code', () => {
    const parsed = parseOne({ ...BASE, errorCode: 'AccessDenied', errorMessage: 'User is not authorized' });
    expect(parsed.fields.event?.outcome).toBe('failure');
    expect(parsed.fields.error).toEqual({ code: 'AccessDenied', message: 'User is not authorized' });
    expect(parsed.fields.aws?.cloudtrail?.error_code).toBe('AccessDenied');
  });

  it('sourceIPAddress "AWS Internal" → source.address only', () => {
    expect(parseOne({ ...BASE, sourceIPAddress: 'AWS Internal' }).fields.source).toEqual({
      address: 'AWS Internal',
    });
  });

  it('sourceIPAddress IPv6 → source.ip', () => {
    const ip = '2001:db8::1';
    expect(parseOne({ ...BASE, sourceIPAddress: ip }).fields.source).toEqual({ address: ip, ip });
  });

  it('no recipientAccountId → cloud.account.id from userIdentity.accountId', () => {
    const { recipientAccountId: _dropped, ...record } = BASE;
    const identity = BASE['userIdentity'] as Record<string, unknown>;
    expect(parseOne(record).fields.cloud?.account?.id).toBe(identity['accountId']);
  });

  it('cross-account call keeps the caller account in user_identity.account_id', () => {
    const parsed = parseOne({ ...BASE, recipientAccountId: '210987654321' });
    expect(parsed.fields.cloud?.account?.id).toBe('210987654321');
    expect(parsed.fields.aws?.cloudtrail?.user_identity?.account_id).toBe(
      (BASE['userIdentity'] as Record<string, unknown>)['accountId'],
    );
  });

  it('Root identity without userName → user.name from the ARN', () => {
    const parsed = parseOne({
      ...BASE,
      userIdentity: {
        type: 'Root',
        principalId: '111122223333',
        arn: 'arn:aws:iam::111122223333:root',
        accountId: '111122223333',
      },
    });
    expect(parsed.fields.user?.name).toBe('root');
  });

  it('{"Records":[…]} → one result per record, equal to parsing each alone', () => {
    const records = LOG_FILES.flatMap(fixtureRecords);
    const file = { Records: records };
    const output = parseCloudTrail(JSON.stringify(file), CTX, file);
    expect(Array.isArray(output)).toBe(true);
    expect(output).toEqual(records.map((record) => parseCloudTrail(JSON.stringify(record), CTX)));
    expect(isCloudTrailRecord(file)).toBe(true);
  });

  it('{"Records":[]} → nothing', () => {
    expect(parseCloudTrail('{"Records":[]}', CTX)).toEqual([]);
  });

  it('keeps a huge payload whole under flattened, with no string copy beside it', () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({
      instanceId: `i-${i.toString(16).padStart(17, '0')}`,
    }));
    const parsed = parseOne({ ...BASE, responseElements: { instancesSet: { items } } });
    const trail = parsed.fields.aws?.cloudtrail;
    expect(trail?.flattened?.response_elements).toEqual({ instancesSet: { items } });
    expect(trail).not.toHaveProperty('response_elements');
  });

  it('drops empty objects and nulls from flattened', () => {
    const parsed = parseOne({ ...BASE, requestParameters: { a: {}, b: null, c: { d: {} }, e: 1 } });
    expect(parsed.fields.aws?.cloudtrail?.flattened?.request_parameters).toEqual({ e: 1 });
  });

  it('uses the caller-parsed json and does not parse the message again', () => {
    expect(isParseFailure(parseCloudTrail('not json', CTX, BASE) as ParseResult)).toBe(false);
  });

  it('rejects what claims to be CloudTrail but is not', () => {
    expect(parseCloudTrail('{"eventVersion":', CTX)).toEqual({ failure: 'cloudtrail: message is not JSON' });
    expect(isParseFailure(parseCloudTrail('[1,2]', CTX) as ParseResult)).toBe(true);
    expect(isParseFailure(parseCloudTrail('{"eventVersion":"1.08"}', CTX) as ParseResult)).toBe(true);
  });
});

describe('isCloudTrailRecord', () => {
  it('accepts every fixture record', () => {
    for (const record of LOG_FILES.flatMap(fixtureRecords)) expect(isCloudTrailRecord(record)).toBe(true);
  });
  it('rejects S3 event notifications, GuardDuty findings and non-objects', () => {
    const s3 = { Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', eventName: 'ObjectCreated:Put' }] };
    expect(isCloudTrailRecord(s3)).toBe(false);
    expect(isCloudTrailRecord({ schemaVersion: '2.0', type: 'Recon:EC2/PortProbeUnprotectedPort' })).toBe(
      false,
    );
    expect(isCloudTrailRecord(null)).toBe(false);
    expect(isCloudTrailRecord('eventName')).toBe(false);
    expect(isCloudTrailRecord({ Records: [] })).toBe(false);
  });
});

// --- Property: never throws, always a valid result -----------------------------------------------

const DATASET = 'aws.cloudtrail';

/** Parsing `json` (as text, and as the value) gives a valid output, and recognizing it a boolean. */
function checkJson(text: string, json: unknown): void {
  expectValidOutput(parseCloudTrail(text, CTX, json), DATASET);
  expect(typeof isCloudTrailRecord(json)).toBe('boolean');
}

describe('parseCloudTrail never throws', () => {
  const bases = LOG_FILES.flatMap(fixtureRecords);

  it('on mutated fixture records (10,000 runs)', () => {
    forMutated(bases, fc.boolean(), 10_000, (record, wrap) => {
      const json = wrap ? { Records: [record, record] } : record;
      checkJson(JSON.stringify(json) ?? '', json);
    });
  });

  it('on any JSON value and any string', () => {
    forAllJson(fc.oneof(fc.jsonValue(), fc.record({ Records: fc.jsonValue() })), 5_000, checkJson);
    forAll(fc.string(), 5_000, (message) => expectValidOutput(parseCloudTrail(message, CTX), DATASET));
  });
});
