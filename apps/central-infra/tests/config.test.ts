import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { STREAM_CONSUMERS, shardsForPeak } from '../src/capacity.ts';
import {
  ROLE_TRUST_POLICY_LIMIT_CHARS,
  destinationRoleTrust,
  trustPolicyChars,
} from '../src/components/log-destinations.policies.ts';
import { CentralConfigError, parseConfig, readFleetFile, type Fleet, type RawConfig } from '../src/config.ts';
import { runProgram, stackConfig } from './support/program.ts';

/** The example stack's `central-infra:*` values, parsed as the program parses them. */
function exampleRaw(): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stackConfig())) {
    if (!key.startsWith('central-infra:')) continue;
    raw[key.slice('central-infra:'.length)] = /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return raw;
}

const fleet: Fleet = { accountIds: ['123456789012', '210987654321', '345678901234'] };
const parse = (
  changes: Record<string, unknown>,
  region: string | undefined = 'eu-west-1',
  fleetOf = () => fleet,
) => {
  const raw = Object.fromEntries(
    Object.entries({ ...exampleRaw(), ...changes }).filter(([, value]) => value !== undefined),
  );
  return parseConfig(raw as RawConfig, region, fleetOf);
};

/** The problems a config produces (each names its key), or [] when it is valid. */
function problemsOf(
  changes: Record<string, unknown>,
  region?: string,
  fleetOf?: () => Fleet,
): readonly string[] {
  try {
    parse(changes, region, fleetOf);
    return [];
  } catch (error) {
    if (error instanceof CentralConfigError) return error.problems;
    throw error;
  }
}

describe('the example stack', () => {
  test('is valid and reads as documented', () => {
    const config = parse({});
    expect(config).toMatchObject({
      accountId: '210987654321',
      homeRegion: 'eu-west-1',
      regions: ['eu-west-1', 'eu-central-1', 'us-east-1'],
      namePrefix: 'central-logging',
      destinationAccess: { kind: 'organization' },
      stream: { mode: 'ON_DEMAND', retentionHours: 168 },
      archive: { processorBufferMiB: 1, processorIntervalSeconds: 60, bufferSizeMiB: 128 },
      alerts: { hasSlackWebhook: false },
    });
  });

  test('defaults fill everything that is not set', () => {
    const config = parseConfig(
      {
        accountId: '210987654321',
        organizationId: 'o-a1b2c3d4e5',
        managementAccountId: '123456789012',
        regions: ['eu-west-1'],
      },
      'eu-west-1',
      () => fleet,
    );
    expect(config.logRetentionDays).toBe(90);
    expect(config.stream).toEqual({ mode: 'ON_DEMAND', retentionHours: 168 });
    expect(config.opensearch).toMatchObject({
      domainName: 'central-logging',
      instanceCount: 3,
      availabilityZones: 3,
    });
    expect(config.functions.indexer).toMatchObject({
      batchSize: 500,
      maxRetries: 50,
      startingPosition: 'LATEST',
    });
    expect(config.functions.alerts.tumblingWindowSeconds).toBeUndefined();
    expect(config.alarms.quietAccountHours).toBe(0);
  });
});

describe('bad config gets a clear error naming the key', () => {
  test.each([
    ['missing regions', { regions: undefined }, 'central-infra:regions: is required (a non-empty list)'],
    ['empty regions', { regions: [] }, 'central-infra:regions: must not be empty'],
    [
      'a region that is not one',
      { regions: ['eu-west-1', 'Ireland'] },
      'central-infra:regions[1]: must be an AWS region name like eu-west-1, got "Ireland"',
    ],
    [
      'a repeated region',
      { regions: ['eu-west-1', 'eu-west-1'] },
      'central-infra:regions[1]: repeats "eu-west-1"',
    ],
    [
      'an account id with 11 digits',
      { accountId: '21098765432' },
      'central-infra:accountId: must be a 12-digit account id, got "21098765432"',
    ],
    [
      'a management account that is not an id',
      { managementAccountId: 'management' },
      'central-infra:managementAccountId: must be a 12-digit account id, got "management"',
    ],
    [
      'a missing organization id',
      { organizationId: undefined },
      'central-infra:organizationId: is required (an organization id like o-a1b2c3d4e5)',
    ],
    [
      'retention CloudWatch does not offer',
      { logRetentionDays: 100 },
      'central-infra:logRetentionDays: must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, got "100"',
    ],
    [
      'retention out of range',
      { logRetentionDays: 5000 },
      'central-infra:logRetentionDays: must be an integer from 1 to 3653 days, got 5000',
    ],
    [
      'stream retention under a day',
      { stream: { retentionHours: 12 } },
      'central-infra:stream.retentionHours: must be an integer from 24 to 8760 hours, got 12',
    ],
    [
      'a provisioned stream without a peak',
      { stream: { mode: 'provisioned', peakRecordsPerSecond: 100 } },
      'central-infra:stream.peakMiBPerSecond: is required with mode: provisioned',
    ],
    [
      'a shard count over the quota',
      { stream: { mode: 'provisioned', peakMiBPerSecond: 900, peakRecordsPerSecond: 1000 } },
      'central-infra:stream.peakMiBPerSecond: a peak of 900 MiB/s and 1000 records/s needs 2025 shards, over stream.maxShards (500): raise the Kinesis shard quota and maxShards, or use mode: on-demand',
    ],
    [
      'peak settings with on-demand',
      { stream: { mode: 'on-demand', peakMiBPerSecond: 3 } },
      'central-infra:stream.peakMiBPerSecond: only applies to mode: provisioned',
    ],
    [
      'a typo in a key',
      { stream: { retentionHour: 48 } },
      'central-infra:stream.retentionHour: is not a known setting (known: mode, retentionHours, peakMiBPerSecond, peakRecordsPerSecond, headroom, maxShards)',
    ],
    [
      'an unknown top-level key',
      { shardCount: 4 },
      expect.stringMatching(/^central-infra:shardCount: is not a known setting \(known: accountId, /),
    ],
    [
      'lifecycle tiers out of order',
      { archive: { glacierInstantDays: 90, glacierFlexibleDays: 30 } },
      'central-infra:archive.glacierFlexibleDays: must be later than archive.glacierInstantDays (90 days)',
    ],
    [
      'deep archive too soon after Glacier',
      { archive: { glacierFlexibleDays: 90, deepArchiveDays: 120 } },
      'central-infra:archive.deepArchiveDays: must be at least 90 days after archive.glacierFlexibleDays',
    ],
    [
      'expiry before object lock ends',
      { archive: { expireDays: 400, deepArchiveDays: 365, objectLock: { days: 730 } } },
      'central-infra:archive.expireDays: must not be before archive.objectLock.days (730)',
    ],
    [
      'an archive buffer interval under dynamic partitioning’s 60 seconds',
      { archive: { bufferIntervalSeconds: 30 } },
      'central-infra:archive.bufferIntervalSeconds: must be an integer from 60 to 900 seconds, got 30',
    ],
    [
      'a processor buffer that risks Lambda’s 6 MB response',
      { archive: { processorBufferMiB: 3 } },
      'central-infra:archive.processorBufferMiB: must be a number from 0.2 to 1.5 MiB, got 3',
    ],
    [
      'data nodes not spread evenly over zones',
      { opensearch: { instanceCount: 4, availabilityZones: 3 } },
      'central-infra:opensearch.instanceCount: must be a multiple of opensearch.availabilityZones (3) so each zone holds the same share',
    ],
    [
      'an even master quorum',
      { opensearch: { dedicatedMaster: { count: 4 } } },
      'central-infra:opensearch.dedicatedMaster.count: must be 3 or 5 (an odd quorum)',
    ],
    [
      'an admin that is not a role ARN',
      { opensearch: { adminRoleArns: ['arn:aws:iam::210987654321:user/alice'] } },
      'central-infra:opensearch.adminRoleArns[0]: must be an IAM role ARN, got "arn:aws:iam::210987654321:user/alice"',
    ],
    [
      'a Firehose processor timeout over 5 minutes',
      { functions: { firehoseProcessor: { timeoutSeconds: 600 } } },
      'central-infra:functions.firehoseProcessor.timeoutSeconds: must be an integer from 1 to 300 seconds, got 600',
    ],
    [
      'a tumbling window over 15 minutes',
      { functions: { alerts: { tumblingWindowSeconds: 1200 } } },
      'central-infra:functions.alerts.tumblingWindowSeconds: must be an integer from 1 to 900, got 1200',
    ],
    [
      'a subscription that is not an address',
      { alerts: { subscriptions: ['security team'] } },
      'central-infra:alerts.subscriptions[0]: must be an e-mail address, got "security team"',
    ],
    [
      'a Slack URL that is not a webhook',
      { slackWebhookUrl: 'https://example.com/hook' },
      'central-infra:slackWebhookUrl: must be a Slack incoming-webhook URL (https://hooks.slack.com/…)',
    ],
  ] as const)('%s', (_, changes, expected) => {
    expect(problemsOf(changes)).toContainEqual(expected);
  });

  test('a missing aws:region is reported', () => {
    expect(problemsOf({}, '')).toContainEqual(
      'aws:region: is required (the home region of the stream and domain), got ""',
    );
  });

  test('every problem is reported at once, one line each', () => {
    const changes = { regions: undefined, accountId: 'x', logRetentionDays: 0 };
    expect(problemsOf(changes)).toHaveLength(3);
    expect(() => parse(changes)).toThrow(
      'Invalid stack configuration (3 problems):\n' +
        '  - central-infra:accountId: must be a 12-digit account id, got "x"\n' +
        '  - central-infra:regions: is required (a non-empty list)\n' +
        '  - central-infra:logRetentionDays: must be an integer from 1 to 3653 days, got 0',
    );
  });

  test('an account list too long for a destination policy says to use the organization form', () => {
    const many: Fleet = { accountIds: Array.from({ length: 400 }, (_, i) => String(100000000000 + i)) };
    expect(problemsOf({ destinationAccess: 'accounts' }, 'eu-west-1', () => many)).toEqual([
      expect.stringMatching(
        /^central-infra:destinationAccess: an explicit list of 402 accounts makes a \d+-byte destination policy, over the 5,120-byte limit: use "organization"$/,
      ),
    ]);
  });

  test('the destination role trust stays under IAM’s 2,048 characters for a 100- and a 340-account fleet', () => {
    const fleetOf = (size: number) => () => ({
      accountIds: Array.from({ length: size }, (_, i) => String(100000000000 + i)),
    });
    // The longest partition and a long region: the trust does not grow with the fleet.
    const trustChars = (size: number) =>
      trustPolicyChars(
        destinationRoleTrust('aws-us-gov', 'ap-southeast-2', {
          kind: 'accounts',
          accountIds: fleetOf(size)().accountIds,
        }),
      );
    expect(trustChars(100)).toBeLessThanOrEqual(ROLE_TRUST_POLICY_LIMIT_CHARS);
    expect(trustChars(340)).toBe(trustChars(100));
    expect(problemsOf({ destinationAccess: 'accounts' }, 'eu-west-1', fleetOf(100))).toEqual([]);
    // 340 accounts fill the 5,120-byte access policy first; that is the only problem reported.
    expect(problemsOf({ destinationAccess: 'accounts' }, 'eu-west-1', fleetOf(340))).toEqual([
      expect.stringMatching(/^central-infra:destinationAccess: an explicit list of 342 accounts makes a/),
    ]);
  });

  test('an unreadable fleet map is reported with its path', () => {
    const unreadable = () => {
      throw new Error('ENOENT: no such file');
    };
    expect(
      problemsOf({ destinationAccess: 'accounts', fleetFile: 'nowhere.yaml' }, 'eu-west-1', unreadable),
    ).toContainEqual('central-infra:fleetFile: cannot read the fleet map nowhere.yaml: ENOENT: no such file');
  });

  test('the program declares nothing when its config is bad', async () => {
    let declared = -1;
    await expect(
      runProgram({ regions: undefined, 'central-infra:accountId': '123' }).catch((error: unknown) => {
        declared = 0;
        throw error;
      }),
    ).rejects.toThrow(
      /central-infra:accountId: must be a 12-digit account id[\s\S]*central-infra:regions: is required/,
    );
    expect(declared).toBe(0);
  });
});

describe('the fleet map', () => {
  test('the repository’s stacks/fleet.yaml lists 12-digit ids', () => {
    const ids = readFleetFile(join(import.meta.dirname, '../../../stacks/fleet.yaml')).accountIds;
    expect(ids.length).toBeGreaterThanOrEqual(3);
    for (const id of ids) expect(id).toMatch(/^\d{12}$/);
  });

  test('an id YAML read as a number keeps its leading zeros; a bad id names its entry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-'));
    writeFileSync(join(dir, 'ok.yaml'), 'accounts:\n  - id: 012345678901\n  - id: "112345678901"\n');
    expect(readFleetFile(join(dir, 'ok.yaml')).accountIds).toEqual(['012345678901', '112345678901']);
    writeFileSync(join(dir, 'bad.yaml'), 'accounts:\n  - id: "1"\n');
    expect(() => readFleetFile(join(dir, 'bad.yaml'))).toThrow(
      'accounts[0].id must be a 12-digit account id, got "1"',
    );
  });
});

describe('shard count from peak ingest', () => {
  test.each([
    [{ mibPerSecond: 0.5, recordsPerSecond: 100, headroom: 1, consumers: 1 }, 1],
    [{ mibPerSecond: 3, recordsPerSecond: 100, headroom: 1, consumers: 1 }, 3],
    [{ mibPerSecond: 3, recordsPerSecond: 100, headroom: 1.1, consumers: 1 }, 4],
    [{ mibPerSecond: 1, recordsPerSecond: 4500, headroom: 1, consumers: 1 }, 5],
    [{ mibPerSecond: 10, recordsPerSecond: 10_000, headroom: 1, consumers: 1 }, 10],
    [{ mibPerSecond: 12.5, recordsPerSecond: 4000, headroom: 1.2, consumers: 1 }, 15],
    [{ mibPerSecond: 0, recordsPerSecond: 0, headroom: 1, consumers: 1 }, 1],
    // Three consumers read 3 MiB/s of a 1 MiB/s write: the 2 MiB/s read limit binds.
    [{ mibPerSecond: 3, recordsPerSecond: 100, headroom: 1, consumers: 3 }, 5],
    [{ mibPerSecond: 12.5, recordsPerSecond: 4000, headroom: 1.2, consumers: 3 }, 23],
    [{ mibPerSecond: 1, recordsPerSecond: 4500, headroom: 1, consumers: 3 }, 5],
  ])('%o → %i shards', (peak, shards) => {
    expect(shardsForPeak(peak)).toBe(shards);
  });

  test('whichever limit binds, the result covers writes, records and the consumers’ shared reads', () => {
    for (let mib = 0; mib <= 50; mib += 0.7) {
      for (let records = 0; records <= 50_000; records += 3_100) {
        const peak = {
          mibPerSecond: mib,
          recordsPerSecond: records,
          headroom: 1.25,
          consumers: STREAM_CONSUMERS,
        };
        const shards = shardsForPeak(peak);
        expect(shards * 1).toBeGreaterThanOrEqual(mib * 1.25 - 1e-9);
        expect(shards * 1000).toBeGreaterThanOrEqual(records * 1.25 - 1e-6);
        expect(shards * 2).toBeGreaterThanOrEqual(mib * STREAM_CONSUMERS * 1.25 - 1e-9);
        const needed = Math.max(mib, records / 1000, (mib * STREAM_CONSUMERS) / 2) * 1.25;
        expect(shards - 1 < needed || shards === 1).toBe(true);
      }
    }
  });

  test('the stream is sized for its three consumers (Firehose, indexer, alerts)', () => {
    expect(STREAM_CONSUMERS).toBe(3);
    const config = parse({
      stream: { mode: 'provisioned', peakMiBPerSecond: 4, peakRecordsPerSecond: 100, headroom: 1 },
    });
    expect(config.stream).toMatchObject({ mode: 'PROVISIONED', shardCount: 6 });
  });

  test('rejects a headroom under 1, negative peaks and no consumer', () => {
    const peak = { mibPerSecond: 1, recordsPerSecond: 1, headroom: 1, consumers: 1 };
    expect(() => shardsForPeak({ ...peak, headroom: 0.5 })).toThrow(RangeError);
    expect(() => shardsForPeak({ ...peak, mibPerSecond: -1 })).toThrow(RangeError);
    expect(() => shardsForPeak({ ...peak, consumers: 0 })).toThrow(RangeError);
  });
});
