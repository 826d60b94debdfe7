import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { parse as parseYaml } from 'yaml';
import { STREAM_CONSUMERS, shardsForPeak } from './capacity.ts';
import {
  DESTINATION_POLICY_LIMIT_BYTES,
  ROLE_TRUST_POLICY_LIMIT_CHARS,
  destinationPolicyBytes,
  destinationRoleTrust,
  trustPolicyChars,
  type DestinationAccess,
} from './components/log-destinations.policies.ts';
import { ConfigProblems, field, member, readers, type Field, type Readers } from './settings.ts';

/** The Pulumi project name: config keys are `central-infra:<key>`. */
export const PROJECT = 'central-infra';

/** CloudWatch Logs accepts only these retention periods (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const ACCOUNT_ID = /^\d{12}$/;
const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const NAME_PREFIX = /^[a-z][a-z0-9-]{1,28}[a-z0-9]$/;

/** Per-function Lambda settings (the seeds' per-tenant `memory_size` and `timeout`). */
export interface FunctionSettings {
  readonly memoryMiB: number;
  readonly timeoutSeconds: number;
}

/** A Kinesis event source mapping's delivery settings. */
export interface StreamConsumerSettings extends FunctionSettings {
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  readonly parallelizationFactor: number;
  readonly maxRetries: number;
  readonly maxRecordAgeSeconds: number;
  readonly startingPosition: 'LATEST' | 'TRIM_HORIZON';
}

export interface AlertsConsumerSettings extends StreamConsumerSettings {
  /** Lambda tumbling window; off by default because the alerts keep windows in DynamoDB. */
  readonly tumblingWindowSeconds: number | undefined;
}

export interface Subscription {
  readonly protocol: 'email' | 'email-json' | 'https' | 'sqs' | 'lambda' | 'sms';
  readonly endpoint: string;
}

export interface CentralConfig {
  /** The central logging account; the provider refuses credentials for any other. */
  readonly accountId: string;
  readonly partition: string;
  /** Where the stream, Firehose, OpenSearch and the Lambdas live (`aws:region`). */
  readonly homeRegion: string;
  /** Every region with member log groups: one CloudWatch Logs destination each. */
  readonly regions: readonly string[];
  readonly organizationId: string;
  readonly managementAccountId: string;
  /** Prefix of the explicit names other accounts rely on (destinations, functions, log groups). */
  readonly namePrefix: string;
  readonly destinationAccess: DestinationAccess;
  readonly logRetentionDays: number;
  readonly stream:
    | { readonly mode: 'ON_DEMAND'; readonly retentionHours: number }
    | { readonly mode: 'PROVISIONED'; readonly retentionHours: number; readonly shardCount: number };
  readonly archive: {
    /** Days after which objects move to Glacier Instant Retrieval, Flexible, Deep Archive (0 = skip). */
    readonly glacierInstantDays: number;
    readonly glacierFlexibleDays: number;
    readonly deepArchiveDays: number;
    readonly expireDays: number;
    readonly noncurrentExpireDays: number;
    readonly objectLock: { readonly mode: 'COMPLIANCE' | 'GOVERNANCE'; readonly days: number } | undefined;
    readonly bufferSizeMiB: number;
    readonly bufferIntervalSeconds: number;
    readonly processorBufferMiB: number;
    readonly processorIntervalSeconds: number;
  };
  readonly opensearch: {
    readonly domainName: string;
    readonly engineVersion: string;
    readonly instanceType: string;
    readonly instanceCount: number;
    readonly availabilityZones: 1 | 2 | 3;
    readonly dedicatedMaster: { readonly instanceType: string; readonly count: number } | undefined;
    readonly volumeSizeGiB: number;
    readonly volumeIops: number;
    readonly volumeThroughputMiBps: number;
    readonly adminRoleArns: readonly string[];
    readonly vpc: { readonly cidrBlock: string } | undefined;
  };
  readonly functions: {
    readonly firehoseProcessor: FunctionSettings;
    readonly indexer: StreamConsumerSettings;
    readonly alerts: AlertsConsumerSettings;
  };
  readonly alerts: {
    readonly subscriptions: readonly Subscription[];
    /** Discover links in notifications; defaults to the domain's Dashboards URL. */
    readonly dashboardsUrl: string | undefined;
    readonly hasSlackWebhook: boolean;
  };
  readonly cloudtrail: {
    /** The organization trail's name, created by member-baseline in the management account. */
    readonly trailName: string;
    readonly trailRegion: string;
    readonly glacierDays: number;
    readonly expireDays: number;
  };
  readonly alarms: {
    readonly subscriptions: readonly Subscription[];
    readonly iteratorAgeSeconds: number;
    readonly firehoseFreshnessSeconds: number;
    readonly freeStorageGiB: number;
    readonly jvmPressurePercent: number;
    /** Alarm when an account sends nothing for this many hours (0 = off). */
    readonly quietAccountHours: number;
    readonly quietAccountIds: readonly string[];
  };
}

/** Every problem with the stack configuration, one per line, each naming its key. */
export class CentralConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid stack configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'CentralConfigError';
  }
}

/** The organization map (`stacks/fleet.yaml`): only what central-infra needs from it. */
export interface Fleet {
  readonly accountIds: readonly string[];
}

const TOP_LEVEL_KEYS = [
  'accountId',
  'partition',
  'regions',
  'organizationId',
  'managementAccountId',
  'namePrefix',
  'destinationAccess',
  'fleetFile',
  'logRetentionDays',
  'stream',
  'archive',
  'opensearch',
  'functions',
  'alerts',
  'slackWebhookUrl',
  'cloudtrail',
  'alarms',
] as const;

export type RawConfig = Readonly<Partial<Record<(typeof TOP_LEVEL_KEYS)[number], unknown>>> &
  Readonly<Record<string, unknown>>;

/**
 * Validates raw stack configuration (keys without the `central-infra:` namespace, structured
 * values already parsed) into `CentralConfig`. Throws `CentralConfigError` listing every problem;
 * nothing is declared before this returns. `loadFleet` is called only when the destination policy
 * needs the account list.
 */
export function parseConfig(
  raw: RawConfig,
  homeRegion: string | undefined,
  loadFleet: (path: string) => Fleet,
): CentralConfig {
  const problems = new ConfigProblems(PROJECT);
  const read = readers(problems);
  const root = field('', raw);
  read.object(root, TOP_LEVEL_KEYS);
  const at = (key: string): Field => member(root, key);

  if (homeRegion === undefined || !REGION.test(homeRegion)) {
    problems.problems.push(
      `aws:region: is required (the home region of the stream and domain), got ${JSON.stringify(homeRegion)}`,
    );
  }
  const home = homeRegion ?? 'us-east-1';
  const accountId = read.requiredString(at('accountId'), {
    pattern: ACCOUNT_ID,
    hint: 'a 12-digit account id',
  });
  const managementAccountId = read.requiredString(at('managementAccountId'), {
    pattern: ACCOUNT_ID,
    hint: 'a 12-digit account id',
  });
  const organizationId = read.requiredString(at('organizationId'), {
    pattern: ORG_ID,
    hint: 'an organization id like o-a1b2c3d4e5',
  });
  const partition = read.oneOf(at('partition'), ['aws', 'aws-us-gov', 'aws-cn'], 'aws');
  const regions = read.list(
    at('regions'),
    (f) => read.string(f, { pattern: REGION, hint: 'an AWS region name like eu-west-1' }),
    { required: true, unique: true },
  );
  const namePrefix =
    read.string(at('namePrefix'), {
      pattern: NAME_PREFIX,
      hint: 'lowercase letters, digits and hyphens, 3–30 characters',
      fallback: 'central-logging',
    }) ?? 'central-logging';
  const logRetentionDays = retention(read, problems, at('logRetentionDays'), 90);

  const accessKind = read.oneOf(at('destinationAccess'), ['organization', 'accounts'], 'organization');
  let destinationAccess: DestinationAccess = { kind: 'organization', organizationId };
  let fleetAccountIds: readonly string[] = [];
  const fleetPath = read.string(at('fleetFile'), { fallback: '../../stacks/fleet.yaml' }) ?? '';
  const needFleet = accessKind === 'accounts';
  const alarmsField = at('alarms');
  const quietHours = read.number(member(alarmsField, 'quietAccountHours'), {
    min: 0,
    max: 168,
    fallback: 0,
    unit: 'hours',
  });
  if (needFleet || quietHours > 0) {
    try {
      fleetAccountIds = loadFleet(fleetPath).accountIds;
      if (fleetAccountIds.length === 0) problems.add('fleetFile', `${fleetPath} lists no accounts`);
    } catch (error) {
      problems.add('fleetFile', `cannot read the fleet map ${fleetPath}: ${(error as Error).message}`);
    }
  }
  const longestRegion = regions.reduce((a, b) => (b.length > a.length ? b : a), home);
  if (accessKind === 'accounts') {
    const accountIds = [...new Set([...fleetAccountIds, accountId, managementAccountId])].filter(
      (id) => id !== '',
    );
    destinationAccess = { kind: 'accounts', accountIds };
    const bytes = destinationPolicyBytes(accountIds.length, longestRegion, `${namePrefix}-destination`);
    if (bytes > DESTINATION_POLICY_LIMIT_BYTES) {
      problems.add(
        'destinationAccess',
        `an explicit list of ${accountIds.length} accounts makes a ${bytes}-byte destination policy, over the 5,120-byte limit: use "organization"`,
      );
    }
  }
  // CreateRole refuses a trust policy over the limit; the trust must not grow with the fleet.
  const trustChars = trustPolicyChars(destinationRoleTrust(partition, longestRegion, destinationAccess));
  if (trustChars > ROLE_TRUST_POLICY_LIMIT_CHARS) {
    problems.add(
      'destinationAccess',
      `the destination role's trust policy would be ${trustChars} characters, over IAM's 2,048-character limit for role trust policies`,
    );
  }

  const stream = readStream(read, problems, at('stream'));
  const archive = readArchive(read, problems, at('archive'));
  const opensearch = readOpenSearch(read, problems, at('opensearch'), namePrefix);
  const functions = readFunctions(read, at('functions'));

  const alertsField = at('alerts');
  read.object(alertsField, ['subscriptions', 'dashboardsUrl']);
  const alerts = {
    subscriptions: readSubscriptions(read, member(alertsField, 'subscriptions')),
    dashboardsUrl: read.string(member(alertsField, 'dashboardsUrl'), {
      pattern: /^https:\/\/[^\s]+$/,
      hint: 'an https URL',
    }),
    hasSlackWebhook: raw['slackWebhookUrl'] !== undefined && raw['slackWebhookUrl'] !== '',
  };
  const slack = raw['slackWebhookUrl'];
  if (typeof slack === 'string' && slack !== '' && !slack.startsWith('https://hooks.slack.com/')) {
    problems.add('slackWebhookUrl', 'must be a Slack incoming-webhook URL (https://hooks.slack.com/…)');
  }

  const trailField = at('cloudtrail');
  read.object(trailField, ['trailName', 'trailRegion', 'glacierDays', 'expireDays']);
  const cloudtrail = {
    trailName:
      read.string(member(trailField, 'trailName'), {
        pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/,
        hint: 'a CloudTrail trail name',
        fallback: 'organization-trail',
      }) ?? 'organization-trail',
    trailRegion:
      read.string(member(trailField, 'trailRegion'), {
        pattern: REGION,
        hint: 'a region name',
        fallback: home,
      }) ?? home,
    glacierDays: read.number(member(trailField, 'glacierDays'), {
      min: 0,
      max: 3650,
      fallback: 90,
      unit: 'days',
    }),
    expireDays: read.number(member(trailField, 'expireDays'), {
      min: 1,
      max: 36500,
      fallback: 2557,
      unit: 'days',
    }),
  };
  if (cloudtrail.glacierDays > 0 && cloudtrail.expireDays <= cloudtrail.glacierDays) {
    problems.add('cloudtrail.expireDays', `must be after glacierDays (${cloudtrail.glacierDays})`);
  }

  read.object(alarmsField, [
    'subscriptions',
    'iteratorAgeSeconds',
    'firehoseFreshnessSeconds',
    'freeStorageGiB',
    'jvmPressurePercent',
    'quietAccountHours',
  ]);
  const alarms = {
    subscriptions: readSubscriptions(read, member(alarmsField, 'subscriptions')),
    iteratorAgeSeconds: read.number(member(alarmsField, 'iteratorAgeSeconds'), {
      min: 1,
      max: 604_800,
      fallback: 300,
      unit: 'seconds',
    }),
    firehoseFreshnessSeconds: read.number(member(alarmsField, 'firehoseFreshnessSeconds'), {
      min: 60,
      max: 86_400,
      fallback: 900,
      unit: 'seconds',
    }),
    freeStorageGiB: read.number(member(alarmsField, 'freeStorageGiB'), {
      min: 1,
      max: 100_000,
      fallback: 20,
    }),
    jvmPressurePercent: read.number(member(alarmsField, 'jvmPressurePercent'), {
      min: 50,
      max: 99,
      fallback: 85,
    }),
    quietAccountHours: quietHours,
    quietAccountIds: quietHours > 0 ? fleetAccountIds : [],
  };

  if (problems.problems.length > 0) throw new CentralConfigError(problems.problems);
  return {
    accountId,
    partition,
    homeRegion: home,
    regions,
    organizationId,
    managementAccountId,
    namePrefix,
    destinationAccess,
    logRetentionDays,
    stream,
    archive,
    opensearch,
    functions,
    alerts,
    cloudtrail,
    alarms,
  };
}

function retention(read: Readers, problems: ConfigProblems, f: Field, fallback: number): number {
  const days = read.number(f, { min: 1, max: 3653, fallback, unit: 'days' });
  if ((LOG_RETENTION_DAYS as readonly number[]).includes(days)) return days;
  problems.add(
    f.path,
    `must be one of ${LOG_RETENTION_DAYS.join(', ')}, got ${JSON.stringify(String(days))}`,
  );
  return fallback;
}

function readStream(read: Readers, problems: ConfigProblems, f: Field): CentralConfig['stream'] {
  read.object(f, [
    'mode',
    'retentionHours',
    'peakMiBPerSecond',
    'peakRecordsPerSecond',
    'headroom',
    'maxShards',
  ]);
  const mode = read.oneOf(member(f, 'mode'), ['on-demand', 'provisioned'], 'on-demand');
  // Kinesis keeps data 24 hours to 365 days.
  const retentionHours = read.number(member(f, 'retentionHours'), {
    min: 24,
    max: 8760,
    fallback: 168,
    unit: 'hours',
  });
  if (mode === 'on-demand') {
    for (const key of ['peakMiBPerSecond', 'peakRecordsPerSecond']) {
      if (member(f, key).value !== undefined)
        problems.add(`stream.${key}`, 'only applies to mode: provisioned');
    }
    return { mode: 'ON_DEMAND', retentionHours };
  }
  const peakMiB = read.optionalNumber(member(f, 'peakMiBPerSecond'), {
    min: 0.001,
    max: 1e6,
    integer: false,
  });
  const peakRecords = read.optionalNumber(member(f, 'peakRecordsPerSecond'), { min: 1, max: 1e9 });
  if (peakMiB === undefined) problems.add('stream.peakMiBPerSecond', 'is required with mode: provisioned');
  if (peakRecords === undefined)
    problems.add('stream.peakRecordsPerSecond', 'is required with mode: provisioned');
  const headroom = read.number(member(f, 'headroom'), { min: 1, max: 10, fallback: 1.5, integer: false });
  // Kinesis' default shard quota is 500 per account and region in the largest regions, 200 elsewhere.
  const maxShards = read.number(member(f, 'maxShards'), { min: 1, max: 100_000, fallback: 500 });
  const shardCount = shardsForPeak({
    mibPerSecond: peakMiB ?? 1,
    recordsPerSecond: peakRecords ?? 1,
    headroom,
    consumers: STREAM_CONSUMERS,
  });
  if (shardCount > maxShards) {
    problems.add(
      'stream.peakMiBPerSecond',
      `a peak of ${peakMiB} MiB/s and ${peakRecords} records/s needs ${shardCount} shards, over stream.maxShards (${maxShards}): raise the Kinesis shard quota and maxShards, or use mode: on-demand`,
    );
  }
  return { mode: 'PROVISIONED', retentionHours, shardCount };
}

function readArchive(read: Readers, problems: ConfigProblems, f: Field): CentralConfig['archive'] {
  read.object(f, [
    'glacierInstantDays',
    'glacierFlexibleDays',
    'deepArchiveDays',
    'expireDays',
    'noncurrentExpireDays',
    'objectLock',
    'bufferSizeMiB',
    'bufferIntervalSeconds',
    'processorBufferMiB',
    'processorIntervalSeconds',
  ]);
  const days = (key: string, fallback: number) =>
    read.number(member(f, key), { min: 0, max: 36500, fallback, unit: 'days' });
  const glacierInstantDays = days('glacierInstantDays', 30);
  const glacierFlexibleDays = days('glacierFlexibleDays', 90);
  const deepArchiveDays = days('deepArchiveDays', 365);
  const expireDays = days('expireDays', 2557);
  // S3 refuses a lifecycle whose transitions do not move forward in time, and one that sends
  // objects to Deep Archive less than 90 days after Glacier Flexible Retrieval.
  const tiers = [
    ['glacierInstantDays', glacierInstantDays],
    ['glacierFlexibleDays', glacierFlexibleDays],
    ['deepArchiveDays', deepArchiveDays],
  ] as const;
  let previous: readonly [string, number] | undefined;
  for (const tier of tiers) {
    if (tier[1] === 0) continue;
    if (previous && tier[1] <= previous[1]) {
      problems.add(`archive.${tier[0]}`, `must be later than archive.${previous[0]} (${previous[1]} days)`);
    }
    previous = tier;
  }
  if (glacierFlexibleDays > 0 && deepArchiveDays > 0 && deepArchiveDays - glacierFlexibleDays < 90) {
    problems.add('archive.deepArchiveDays', 'must be at least 90 days after archive.glacierFlexibleDays');
  }
  if (expireDays > 0 && previous && expireDays <= previous[1]) {
    problems.add(
      'archive.expireDays',
      `must be later than archive.${previous[0]} (${previous[1]} days), or 0 to keep forever`,
    );
  }

  const lockField = member(f, 'objectLock');
  let objectLock: CentralConfig['archive']['objectLock'];
  if (read.object(lockField, ['mode', 'days'])) {
    objectLock = {
      mode: read.oneOf(member(lockField, 'mode'), ['COMPLIANCE', 'GOVERNANCE'], 'COMPLIANCE'),
      days: read.number(member(lockField, 'days'), { min: 1, max: 36500, fallback: 365, unit: 'days' }),
    };
    if (expireDays > 0 && expireDays < objectLock.days) {
      problems.add('archive.expireDays', `must not be before archive.objectLock.days (${objectLock.days})`);
    }
  }

  return {
    glacierInstantDays,
    glacierFlexibleDays,
    deepArchiveDays,
    expireDays,
    noncurrentExpireDays: read.number(member(f, 'noncurrentExpireDays'), {
      min: 1,
      max: 36500,
      fallback: 30,
    }),
    objectLock,
    // Dynamic partitioning needs a buffer of at least 64 MiB (Firehose's rule); 128 is its maximum.
    bufferSizeMiB: read.number(member(f, 'bufferSizeMiB'), { min: 64, max: 128, fallback: 128, unit: 'MiB' }),
    // Intervals under 60 s are Firehose's zero buffering, which dynamic partitioning does not offer.
    bufferIntervalSeconds: read.number(member(f, 'bufferIntervalSeconds'), {
      min: 60,
      max: 900,
      fallback: 300,
      unit: 'seconds',
    }),
    // The decoder's gzip output is ≈2.7× its base64 input: 1 MiB keeps a response near 3.5 MB, and
    // above 1.5 MiB one buffer could exceed Lambda's 6 MB (packages/decoder/README.md).
    processorBufferMiB: read.number(member(f, 'processorBufferMiB'), {
      min: 0.2,
      max: 1.5,
      fallback: 1,
      integer: false,
      unit: 'MiB',
    }),
    processorIntervalSeconds: read.number(member(f, 'processorIntervalSeconds'), {
      min: 60,
      max: 900,
      fallback: 60,
      unit: 'seconds',
    }),
  };
}

function readOpenSearch(
  read: Readers,
  problems: ConfigProblems,
  f: Field,
  namePrefix: string,
): CentralConfig['opensearch'] {
  read.object(f, [
    'domainName',
    'engineVersion',
    'instanceType',
    'instanceCount',
    'availabilityZones',
    'dedicatedMaster',
    'volumeSizeGiB',
    'volumeIops',
    'volumeThroughputMiBps',
    'adminRoleArns',
    'vpc',
  ]);
  const instanceType = /^[a-z0-9]+\.[a-z0-9]+\.search$/;
  const availabilityZones = read.number(member(f, 'availabilityZones'), { min: 1, max: 3, fallback: 3 }) as
    1 | 2 | 3;
  const instanceCount = read.number(member(f, 'instanceCount'), { min: 1, max: 1000, fallback: 3 });
  if (instanceCount % availabilityZones !== 0) {
    problems.add(
      'opensearch.instanceCount',
      `must be a multiple of opensearch.availabilityZones (${availabilityZones}) so each zone holds the same share`,
    );
  }
  const masterField = member(f, 'dedicatedMaster');
  let dedicatedMaster: CentralConfig['opensearch']['dedicatedMaster'];
  if (read.object(masterField, ['instanceType', 'count'])) {
    const count = read.number(member(masterField, 'count'), { min: 3, max: 5, fallback: 3 });
    if (count === 4) problems.add('opensearch.dedicatedMaster.count', 'must be 3 or 5 (an odd quorum)');
    dedicatedMaster = {
      instanceType:
        read.string(member(masterField, 'instanceType'), {
          pattern: instanceType,
          hint: 'an instance type like m7g.large.search',
          fallback: 'm7g.large.search',
        }) ?? 'm7g.large.search',
      count,
    };
  }
  const vpcField = member(f, 'vpc');
  let vpc: CentralConfig['opensearch']['vpc'];
  if (read.object(vpcField, ['cidrBlock'])) {
    vpc = {
      cidrBlock:
        read.string(member(vpcField, 'cidrBlock'), {
          pattern: /^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|2[0-4])$/,
          hint: 'an IPv4 CIDR from /16 to /24',
          fallback: '10.40.0.0/16',
        }) ?? '10.40.0.0/16',
    };
  }
  return {
    domainName:
      read.string(member(f, 'domainName'), {
        // OpenSearch domain names: 3–28 characters, a lowercase letter first.
        pattern: /^[a-z][a-z0-9-]{2,27}$/,
        hint: 'a domain name of 3–28 lowercase letters, digits and hyphens',
        fallback: namePrefix.slice(0, 28),
      }) ?? namePrefix.slice(0, 28),
    engineVersion:
      read.string(member(f, 'engineVersion'), {
        pattern: /^OpenSearch_\d+\.\d+$/,
        hint: 'an engine version like OpenSearch_2.19',
        fallback: 'OpenSearch_2.19',
      }) ?? 'OpenSearch_2.19',
    instanceType:
      read.string(member(f, 'instanceType'), {
        pattern: instanceType,
        hint: 'an instance type like r7g.large.search',
        fallback: 'r7g.large.search',
      }) ?? 'r7g.large.search',
    instanceCount,
    availabilityZones,
    dedicatedMaster,
    volumeSizeGiB: read.number(member(f, 'volumeSizeGiB'), {
      min: 10,
      max: 24_576,
      fallback: 100,
      unit: 'GiB',
    }),
    volumeIops: read.number(member(f, 'volumeIops'), { min: 3000, max: 16_000, fallback: 3000 }),
    volumeThroughputMiBps: read.number(member(f, 'volumeThroughputMiBps'), {
      min: 125,
      max: 1000,
      fallback: 125,
    }),
    adminRoleArns: read.list(
      member(f, 'adminRoleArns'),
      (entry) => read.string(entry, { pattern: ROLE_ARN, hint: 'an IAM role ARN' }),
      { unique: true },
    ),
    vpc,
  };
}

function readFunctions(read: Readers, f: Field): CentralConfig['functions'] {
  read.object(f, ['firehoseProcessor', 'indexer', 'alerts']);
  const basics = (g: Field, defaults: FunctionSettings, maxTimeout: number): FunctionSettings => ({
    memoryMiB: read.number(member(g, 'memoryMiB'), {
      min: 128,
      max: 10_240,
      fallback: defaults.memoryMiB,
      unit: 'MiB',
    }),
    timeoutSeconds: read.number(member(g, 'timeoutSeconds'), {
      min: 1,
      max: maxTimeout,
      fallback: defaults.timeoutSeconds,
      unit: 'seconds',
    }),
  });
  const consumerKeys = [
    'memoryMiB',
    'timeoutSeconds',
    'batchSize',
    'batchingWindowSeconds',
    'parallelizationFactor',
    'maxRetries',
    'maxRecordAgeSeconds',
    'startingPosition',
  ];
  const consumer = (g: Field, defaults: StreamConsumerSettings): StreamConsumerSettings => ({
    ...basics(g, defaults, 900),
    batchSize: read.number(member(g, 'batchSize'), { min: 1, max: 10_000, fallback: defaults.batchSize }),
    batchingWindowSeconds: read.number(member(g, 'batchingWindowSeconds'), {
      min: 0,
      max: 300,
      fallback: defaults.batchingWindowSeconds,
    }),
    parallelizationFactor: read.number(member(g, 'parallelizationFactor'), {
      min: 1,
      max: 10,
      fallback: defaults.parallelizationFactor,
    }),
    maxRetries: read.number(member(g, 'maxRetries'), { min: 0, max: 10_000, fallback: defaults.maxRetries }),
    maxRecordAgeSeconds: read.number(member(g, 'maxRecordAgeSeconds'), {
      min: 60,
      max: 604_800,
      fallback: defaults.maxRecordAgeSeconds,
    }),
    startingPosition: read.oneOf(
      member(g, 'startingPosition'),
      ['LATEST', 'TRIM_HORIZON'],
      defaults.startingPosition,
    ),
  });

  const processor = member(f, 'firehoseProcessor');
  read.object(processor, ['memoryMiB', 'timeoutSeconds']);
  const indexer = member(f, 'indexer');
  read.object(indexer, consumerKeys);
  const alerts = member(f, 'alerts');
  read.object(alerts, [...consumerKeys, 'tumblingWindowSeconds']);
  return {
    // Firehose waits at most 5 minutes for its processor.
    firehoseProcessor: basics(processor, { memoryMiB: 1024, timeoutSeconds: 120 }, 300),
    indexer: consumer(indexer, {
      memoryMiB: 1024,
      timeoutSeconds: 120,
      batchSize: 500,
      batchingWindowSeconds: 2,
      parallelizationFactor: 2,
      maxRetries: 50,
      maxRecordAgeSeconds: 86_400,
      startingPosition: 'LATEST',
    }),
    alerts: {
      ...consumer(alerts, {
        memoryMiB: 512,
        timeoutSeconds: 60,
        batchSize: 500,
        batchingWindowSeconds: 1,
        parallelizationFactor: 1,
        maxRetries: 50,
        maxRecordAgeSeconds: 3_600,
        startingPosition: 'LATEST',
      }),
      tumblingWindowSeconds: read.optionalNumber(member(alerts, 'tumblingWindowSeconds'), {
        min: 1,
        max: 900,
      }),
    },
  };
}

function readSubscriptions(read: Readers, f: Field): Subscription[] {
  return read.list(
    f,
    (entry) => {
      if (typeof entry.value === 'string') {
        // A bare string is an e-mail address: the common case reads naturally in the stack file.
        const endpoint = read.string(entry, {
          pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
          hint: 'an e-mail address',
        });
        return endpoint === undefined ? undefined : { protocol: 'email' as const, endpoint };
      }
      if (!read.object(entry, ['protocol', 'endpoint'], true)) return undefined;
      return {
        protocol: read.oneOf(
          member(entry, 'protocol'),
          ['email', 'email-json', 'https', 'sqs', 'lambda', 'sms'],
          'email',
        ),
        endpoint: read.requiredString(member(entry, 'endpoint'), { hint: 'the subscription endpoint' }),
      };
    },
    { unique: true },
  );
}

/** Reads `stacks/fleet.yaml`: `accounts: [{ id: '123456789012', … }]`. */
export function readFleetFile(path: string): Fleet {
  const document = parseYaml(readFileSync(path, 'utf8')) as { accounts?: unknown } | null;
  const accounts = document?.accounts;
  if (!Array.isArray(accounts)) throw new Error('expected a top-level "accounts" list');
  const accountIds = accounts.map((account: unknown, i) => {
    const id = (account as { id?: unknown } | null)?.id;
    const text = typeof id === 'number' ? String(id).padStart(12, '0') : id;
    if (typeof text !== 'string' || !ACCOUNT_ID.test(text)) {
      throw new Error(`accounts[${i}].id must be a 12-digit account id, got ${JSON.stringify(id)}`);
    }
    return text;
  });
  return { accountIds: [...new Set(accountIds)] };
}

/** The app's directory: relative paths in the stack config (fleetFile) resolve against it. */
export const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The stack's configuration: the only `new pulumi.Config()` of the program. Structured values are
 * parsed from their JSON form; the Slack webhook stays a secret output.
 */
export function loadConfig(): { config: CentralConfig; slackWebhookUrl: pulumi.Output<string> | undefined } {
  const pulumiConfig = new pulumi.Config(PROJECT);
  const raw: Record<string, unknown> = {};
  const prefix = `${PROJECT}:`;
  for (const fullKey of Object.keys(pulumi.runtime.allConfig())) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    const text = pulumiConfig.get(key);
    raw[key] = text !== undefined && /^\s*[[{]/.test(text) ? JSON.parse(text) : text;
  }
  // The runtime holds secrets decrypted, so the URL is validated like any key (and never printed).
  const slack = pulumiConfig.getSecret('slackWebhookUrl');
  const config = parseConfig(raw, new pulumi.Config('aws').get('region'), (path) =>
    readFleetFile(resolve(APP_DIR, path)),
  );
  return { config, slackWebhookUrl: slack };
}
