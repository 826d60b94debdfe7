import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCloudTrailRecord, parseCloudTrail } from '../../../src/parse/cloudtrail.ts';
import { isParseFailure } from '../../../src/parse/types.ts';
import type { ParseContext, ParsedEvent, ParseOutput, ParseResult } from '../../../src/parse/types.ts';
import { flatten, sameValue } from '../../support/agreement.ts';
import type { Flat, FlattenOptions } from '../../support/agreement.ts';
import { mutate, mutationArb } from '../../support/mutate.ts';

const FIXTURES = new URL('../../fixtures/cloudtrail/', import.meta.url);
const CTX: ParseContext = { logGroup: 'aws-cloudtrail-logs-central', logStream: 'o-abc_CloudTrail_us-east-1', owner: '999999999999' };

// --- Elastic agreement ---------------------------------------------------------------------------

/** Fields compared with Elastic's expected documents (exact paths, and every leaf under a prefix). */
const COMPARED_FIELDS = [
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
const COMPARED_PREFIXES = [
  'aws.cloudtrail.user_identity.',
  'aws.cloudtrail.flattened.',
  'aws.cloudtrail.resources.',
  'aws.cloudtrail.console_login.',
];
// Not compared at all: aws.cloudtrail.request_parameters / response_elements / additional_eventdata
// / service_event_details as strings. Elastic renders them as Java Maps ("{ConsoleLogin=Success}");
// we keep only the flattened.* objects (compared above), deliberately. Also not compared: tls_details (Elastic moves it to ECS tls.*, which our
// schema does not have), and Elastic-only enrichment (geo, as, related.*, user_agent parsing, actor/target).

/** Deliberate differences on every record, by field. */
const DELIBERATE: Readonly<Record<string, string>> = {
  'aws.cloudtrail.user_identity.account_id':
    'kept: the caller account differs from cloud.account.id (recipient) in cross-account calls; Elastic drops it',
  'aws.cloudtrail.user_identity.identity_store_arn': 'kept from onBehalfOf (declared in our schema); Elastic drops it',
  'error.code': 'ECS error.* set besides aws.cloudtrail.error_*; this Elastic version sets only the latter',
  'error.message': 'ECS error.* set besides aws.cloudtrail.error_*; this Elastic version sets only the latter',
};

/** Deliberate differences on one record: `<file>#<record index>` → field → reason. */
const DELIBERATE_CASES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'integrations_test-console-login-json.log#2': {
    'aws.cloudtrail.user_identity.session_context.creation_date':
      'basic ISO 8601 "20131102T010628Z": Elastic fails to parse it and drops it, we normalize it',
  },
  'integrations_test-get-secret-value-json.log#0': {
    'user.email': 'this expected file predates Elastic mapping an e-mail-shaped user name to user.email',
  },
};

/** Elastic writes these as "true"/"false" strings; our schema has booleans. Values are compared, not types. */
const BOOLEAN_AS_STRING = new Set([
  'aws.cloudtrail.management_event',
  'aws.cloudtrail.user_identity.session_context.mfa_authenticated',
]);

/** Arrays of objects are walked by index, so the prefixes above reach their leaves. */
const INDEXED: FlattenOptions = { indexObjectArrays: true };

function isCompared(path: string): boolean {
  return COMPARED_FIELDS.includes(path) || COMPARED_PREFIXES.some((prefix) => path.startsWith(prefix));
}

/** Our document as Elastic lays it out: @timestamp from the epoch ms, CloudTrail's eventID as event.id. */
function comparable(parsed: ParsedEvent): Flat {
  const flat = flatten(parsed.fields, INDEXED);
  if (parsed.timestamp !== undefined) flat.set('@timestamp', new Date(parsed.timestamp).toISOString());
  const eventId = flat.get('aws.cloudtrail.event_id');
  if (eventId !== undefined) flat.set('event.id', eventId);
  return flat;
}

function agrees(path: string, ours: unknown, theirs: unknown): boolean {
  return sameValue(path, ours, theirs, { booleansAsStrings: BOOLEAN_AS_STRING });
}

interface Agreement {
  compared: number;
  agreed: number;
  disagreements: string[];
}

function compareFile(logFile: string): Agreement {
  const text = readFileSync(new URL(logFile, FIXTURES), 'utf8');
  const lines = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  const expected = (JSON.parse(readFileSync(new URL(`${logFile}-expected.json`, FIXTURES), 'utf8')) as { expected: unknown[] })
    .expected;
  expect(lines).toHaveLength(expected.length);
  const result: Agreement = { compared: 0, agreed: 0, disagreements: [] };
  lines.forEach((line, index) => {
    // A blank line gives Elastic a near-empty document; our pipeline drops empty messages before
    // any parser runs, so there is nothing to compare.
    if (line.trim() === '') return;
    const output = parseCloudTrail(line, CTX);
    if (Array.isArray(output) || isParseFailure(output as ParseResult)) throw new Error(`${logFile}#${index}: ${JSON.stringify(output)}`);
    const ours = comparable(output as ParsedEvent);
    const theirs = flatten(expected[index], INDEXED);
    const cases = DELIBERATE_CASES[`${logFile}#${index}`] ?? {};
    const paths = new Set([...ours.keys(), ...theirs.keys()].filter(isCompared));
    for (const path of paths) {
      if (path in DELIBERATE || path in cases) continue;
      result.compared++;
      if (agrees(path, ours.get(path), theirs.get(path))) result.agreed++;
      else result.disagreements.push(`#${index} ${path}: ours ${JSON.stringify(ours.get(path))}, Elastic ${JSON.stringify(theirs.get(path))}`);
    }
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
    expect(parseOne({ ...BASE, sourceIPAddress: 'AWS Internal' }).fields.source).toEqual({ address: 'AWS Internal' });
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
    expect(parsed.fields.aws?.cloudtrail?.user_identity?.account_id).toBe((BASE['userIdentity'] as Record<string, unknown>)['accountId']);
  });

  it('Root identity without userName → user.name from the ARN', () => {
    const parsed = parseOne({ ...BASE, userIdentity: { type: 'Root', principalId: '111122223333', arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333' } });
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
    const items = Array.from({ length: 5000 }, (_, i) => ({ instanceId: `i-${i.toString(16).padStart(17, '0')}` }));
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
    expect(isCloudTrailRecord({ schemaVersion: '2.0', type: 'Recon:EC2/PortProbeUnprotectedPort' })).toBe(false);
    expect(isCloudTrailRecord(null)).toBe(false);
    expect(isCloudTrailRecord('eventName')).toBe(false);
    expect(isCloudTrailRecord({ Records: [] })).toBe(false);
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
    expect(result.dataset).toBe('aws.cloudtrail');
    if (result.timestamp !== undefined) expect(Number.isFinite(result.timestamp)).toBe(true);
    expect(typeof result.fields).toBe('object');
    JSON.stringify(result.fields);
  }
}

describe('parseCloudTrail never throws', () => {
  const bases = LOG_FILES.flatMap(fixtureRecords);

  it('on mutated fixture records (10,000 runs)', () => {
    fc.assert(
      fc.property(fc.nat(bases.length - 1), fc.array(mutationArb, { maxLength: 6 }), fc.boolean(), (baseIndex, mutations, wrap) => {
        const record = mutate(bases[baseIndex], mutations);
        const json = wrap ? { Records: [record, record] } : record;
        assertValid(parseCloudTrail(JSON.stringify(json) ?? '', CTX, json));
        expect(typeof isCloudTrailRecord(json)).toBe('boolean');
      }),
      { numRuns: 10_000 },
    );
  });

  it('on any JSON value and any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ Records: fc.jsonValue() })), (json) => {
        assertValid(parseCloudTrail(JSON.stringify(json) ?? '', CTX, json));
        expect(typeof isCloudTrailRecord(json)).toBe('boolean');
      }),
      { numRuns: 5_000 },
    );
    fc.assert(
      fc.property(fc.string(), (message) => assertValid(parseCloudTrail(message, CTX))),
      { numRuns: 5_000 },
    );
  });
});
