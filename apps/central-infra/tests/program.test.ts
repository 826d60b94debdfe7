import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { bundleArchive } from '../src/bundles.ts';
import { ARCHIVE_PREFIX, ERROR_PREFIX } from '../src/components/archive.ts';
import { isolatedSubnetMask } from '../src/components/search-domain.ts';
import { present, runProgram, type DeclaredResource, type ProgramRun } from './support/program.ts';

/** The example stack (stacks/central-infra/Pulumi.prod.yaml) under mocks. */
let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram();
});

const json = (value: unknown): Record<string, unknown> =>
  typeof value === 'string'
    ? (JSON.parse(value) as Record<string, unknown>)
    : (value as Record<string, unknown>);
const parameters = (processor: { parameters: { parameterName: string; parameterValue: string }[] }) =>
  Object.fromEntries(processor.parameters.map((p) => [p.parameterName, p.parameterValue]));
const KEY_ARN = 'arn:aws:kms:eu-west-1:210987654321:key/0f1e2d3c-encryption-key';

describe('the program as a whole', () => {
  test('makes no call to AWS while declaring resources (no unexpected invoke)', () => {
    expect(run.invokes).toEqual([]);
  });

  test('every AWS resource goes through the one provider pinned to the central account', () => {
    const providers = run.ofType('pulumi:providers:aws');
    expect(providers).toHaveLength(1);
    expect(json(present(providers[0], 'the provider').inputs['allowedAccountIds'])).toEqual(['210987654321']);
    expect(present(providers[0], 'the provider').inputs['region']).toBe('eu-west-1');
    const awsResources = run.resources.filter((r) => r.type.startsWith('aws:'));
    expect(awsResources.length).toBeGreaterThan(80);
    for (const resource of awsResources)
      expect(resource.provider, resource.name).toMatch(/::central::provider-id$/);
  });

  test('one component per architectural box, each owning its resources', () => {
    const components = run.resources.filter((r) => r.type.startsWith('logging:central:')).map((r) => r.type);
    expect(new Set(components)).toEqual(
      new Set([
        'logging:central:LogEncryptionKey',
        'logging:central:LogStream',
        'logging:central:LogDestinations',
        'logging:central:Archive',
        'logging:central:SecureBucket',
        'logging:central:PipelineFunction',
        'logging:central:SearchDomain',
        'logging:central:Indexer',
        'logging:central:Alerts',
        'logging:central:CloudTrailBucket',
        'logging:central:PipelineAlarms',
      ]),
    );
    for (const resource of run.resources.filter((r) => r.type.startsWith('aws:'))) {
      expect(resource.parent, resource.name).toBeDefined();
    }
  });

  test('pipelineLogGroups names every log group the program creates (nothing may loop)', () => {
    const created = run.ofType('aws:cloudwatch/logGroup:LogGroup').map((g) => g.inputs['name']);
    expect([...created].sort()).toEqual(run.outputs['pipelineLogGroups']);
  });

  test('exports every output other stacks and people need', () => {
    expect(run.outputs).toMatchObject({
      destinationArns: {
        'eu-west-1': 'arn:aws:logs:eu-west-1:210987654321:destination:central-logging-destination',
        'eu-central-1': 'arn:aws:logs:eu-central-1:210987654321:destination:central-logging-destination',
        'us-east-1': 'arn:aws:logs:us-east-1:210987654321:destination:central-logging-destination',
      },
      streamArn: expect.stringMatching(/^arn:aws:kinesis:eu-west-1:210987654321:stream\//),
      archiveBucket: 'archive-bucket-1a2b3c',
      cloudtrailBucket: 'cloudtrail-bucket-1a2b3c',
      kmsKeyArn: KEY_ARN,
      opensearchEndpoint: 'https://search-central-logging-abc123.eu-west-1.es.amazonaws.com',
      dashboardsUrl: 'https://search-central-logging-abc123.eu-west-1.es.amazonaws.com/_dashboards',
      alertsTopicArn: expect.stringMatching(/^arn:aws:sns:eu-west-1:210987654321:/),
      organizationId: 'o-a1b2c3d4e5',
      pipelineLogGroups: [
        '/aws/kinesisfirehose/central-logging-archive',
        '/aws/lambda/central-logging-alerts',
        '/aws/lambda/central-logging-firehose-processor',
        '/aws/lambda/central-logging-indexer',
        '/aws/opensearch/central-logging/audit_logs',
        '/aws/opensearch/central-logging/es_application_logs',
        '/aws/opensearch/central-logging/index_slow_logs',
        '/aws/opensearch/central-logging/search_slow_logs',
      ],
    });
  });
});

describe('KMS key', () => {
  test('is customer-managed, rotated, protected, and aliased', () => {
    const key = run.named('encryption-key');
    expect(key.inputs).toMatchObject({
      enableKeyRotation: true,
      rotationPeriodInDays: 365,
      deletionWindowInDays: 30,
    });
    expect(run.named('encryption-alias').inputs['name']).toBe('alias/central-logging');
  });

  test('its policy names exactly the services that use it', () => {
    const statements = json(run.named('encryption-key').inputs['policy'])['Statement'] as {
      Sid: string;
      Principal: { Service?: string; AWS?: string };
      Condition?: Record<string, Record<string, unknown>>;
    }[];
    const services = statements.flatMap((s) => (s.Principal.Service ? [s.Principal.Service] : [])).sort();
    expect(services).toEqual([
      'cloudtrail.amazonaws.com',
      'cloudtrail.amazonaws.com',
      'cloudwatch.amazonaws.com',
      'logs.eu-central-1.amazonaws.com',
      'logs.eu-west-1.amazonaws.com',
      'logs.us-east-1.amazonaws.com',
    ]);
    const sid = (name: string) =>
      present(
        statements.find((s) => s.Sid === name),
        `statement ${name}`,
      );
    const viaServices = sid('UseThroughPipelineServices').Condition?.['StringEquals']?.['kms:ViaService'];
    expect(viaServices).toEqual(
      ['firehose', 'kinesis', 's3', 'sns', 'sqs', 'dynamodb', 'es', 'secretsmanager'].map(
        (s) => `${s}.eu-west-1.amazonaws.com`,
      ),
    );
    // The simulator cannot evaluate encryption-context keys, so these are checked as data: each
    // region's CloudWatch Logs may use the key only for this account's log groups,
    for (const region of ['eu-west-1', 'eu-central-1', 'us-east-1']) {
      expect(sid(`CloudWatchLogs${region.replace(/-/g, '')}`).Condition).toEqual({
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${region}:210987654321:log-group:*` },
      });
    }
    // and CloudTrail only for the organization trail.
    expect(sid('OrganizationTrailEncrypts').Condition?.['StringLike']).toEqual({
      'kms:EncryptionContext:aws:cloudtrail:arn':
        'arn:aws:cloudtrail:eu-west-1:123456789012:trail/organization-trail',
    });
  });
});

describe('Kinesis stream', () => {
  test('is on-demand by default, keeps 7 days, and is encrypted with the key', () => {
    const stream = run.named('log-stream-stream');
    expect(stream.inputs).toMatchObject({
      retentionPeriod: 168,
      encryptionType: 'KMS',
      kmsKeyId: KEY_ARN,
      streamModeDetails: { streamMode: 'ON_DEMAND' },
    });
    expect(stream.inputs['shardCount']).toBeUndefined();
  });

  test('provisioned mode takes the shard count computed from the peak', async () => {
    const provisioned = await runProgram({
      stream: { mode: 'provisioned', peakMiBPerSecond: 12.5, peakRecordsPerSecond: 4000, headroom: 1.2 },
    });
    // max(12.5 MiB/s ÷ 1, 4000 rec/s ÷ 1000, 3 consumers × 12.5 MiB/s ÷ 2) × 1.2 = 22.5 → 23 shards.
    expect(provisioned.named('log-stream-stream').inputs).toMatchObject({
      streamModeDetails: { streamMode: 'PROVISIONED' },
      shardCount: 23,
    });
  });
});

describe('CloudWatch Logs destinations', () => {
  const regions = ['eu-west-1', 'eu-central-1', 'us-east-1'];

  test.each(regions)('%s has a destination to the one stream, with its own role', (region) => {
    const destination = run.named(`destinations-${region}`);
    expect(destination.inputs).toMatchObject({
      name: 'central-logging-destination',
      region,
      roleArn: expect.stringContaining(`destinations-${region}-role`),
      targetArn: run.named('log-stream-stream').state['arn'],
    });
  });

  test.each(regions)(
    '%s: the role policy exists before the destination, the access policy after',
    (region) => {
      expect(run.named(`destinations-${region}`).dependsOn).toContain(`destinations-${region}-put-records`);
      const access = run.named(`destinations-${region}-access`);
      expect(access.inputs).toMatchObject({
        region,
        destinationName: 'central-logging-destination',
        forceUpdate: true,
      });
      expect(access.dependsOn).toContain(`destinations-${region}`);
    },
  );

  test.each(regions)('%s: the role is trusted by CloudWatch Logs with source conditions', (region) => {
    const trust = json(run.named(`destinations-${region}-role`).inputs['assumeRolePolicy']);
    expect(trust['Statement']).toEqual([
      expect.objectContaining({
        Principal: { Service: 'logs.amazonaws.com' },
        Condition: {
          StringLike: { 'aws:SourceArn': `arn:aws:logs:${region}:*:*` },
          StringEquals: { 'aws:SourceOrgID': 'o-a1b2c3d4e5' },
        },
      }),
    ]);
  });

  test('with destinationAccess: accounts, the policy lists the fleet accounts and stays under 5,120 bytes', async () => {
    const listed = await runProgram({ destinationAccess: 'accounts' });
    const policy = listed.named('destinations-eu-west-1-access').inputs['accessPolicy'] as string;
    expect(Buffer.byteLength(policy)).toBeLessThanOrEqual(5120);
    const statements = json(policy)['Statement'] as { Principal: { AWS: string[] }; Condition?: unknown }[];
    const statement = present(statements[0], 'a statement');
    expect(statement.Principal.AWS.sort()).toEqual(
      ['123456789012', '210987654321', '345678901234', '456789012345', '567890123456'].sort(),
    );
    expect(statement.Condition).toBeUndefined();
    expect(listed.named('destinations-eu-west-1-access').inputs['forceUpdate']).toBe(false);
    // The role's trust names no account (the access policy does), so it fits IAM's limit for any fleet.
    const trust = json(listed.named('destinations-eu-west-1-role').inputs['assumeRolePolicy']);
    expect(trust['Statement']).toEqual([
      expect.objectContaining({
        Condition: { StringLike: { 'aws:SourceArn': 'arn:aws:logs:eu-west-1:*:*' } },
      }),
    ]);
  });
});

describe('Firehose and the archive', () => {
  test('Firehose reads the stream, runs the decoder, and partitions by account/dataset/date', () => {
    const firehose = run.named('archive-firehose');
    const role = run.named('archive-firehose-role').state['arn'];
    expect(firehose.inputs).toMatchObject({
      name: 'central-logging-archive',
      destination: 'extended_s3',
      kinesisSourceConfiguration: {
        kinesisStreamArn: run.named('log-stream-stream').state['arn'],
        roleArn: role,
      },
    });
    const s3 = firehose.inputs['extendedS3Configuration'] as Record<string, unknown> & {
      processingConfiguration: { enabled: boolean; processors: { type: string; parameters: never }[] };
    };
    expect(s3).toMatchObject({
      bucketArn: 'arn:aws:s3:::archive-bucket-1a2b3c',
      prefix: ARCHIVE_PREFIX,
      errorOutputPrefix: ERROR_PREFIX,
      compressionFormat: 'UNCOMPRESSED',
      fileExtension: '.json.gz',
      kmsKeyArn: KEY_ARN,
      bufferingSize: 128,
      bufferingInterval: 300,
      dynamicPartitioningConfiguration: { enabled: true },
      cloudwatchLoggingOptions: { enabled: true, logStreamName: 'DestinationDelivery' },
    });
    expect(ARCHIVE_PREFIX).toMatch(/account=.*\/dataset=.*\/!\{partitionKeyFromLambda:date\}\/$/);
    const processor = present(s3.processingConfiguration.processors[0], 'the processor');
    expect(processor.type).toBe('Lambda');
    // 1 MiB (which keeps the decoder's gzip response near 3.5 MB, under Lambda's 6 MB), 60 s and
    // 3 retries are Firehose's defaults: the provider keeps no default in state, so sending one
    // would show a diff on every preview.
    expect(parameters(processor)).toEqual({
      LambdaArn: 'arn:aws:lambda:eu-west-1:210987654321:function:central-logging-firehose-processor:$LATEST',
    });
    expect(firehose.dependsOn).toContain('archive-firehose-access');
  });

  test('processor buffering other than Firehose’s defaults is sent', async () => {
    const tuned = await runProgram({ archive: { processorBufferMiB: 0.5, processorIntervalSeconds: 120 } });
    const s3 = tuned.named('archive-firehose').inputs['extendedS3Configuration'] as {
      processingConfiguration: { processors: { parameters: never }[] };
    };
    expect(parameters(present(s3.processingConfiguration.processors[0], 'the processor'))).toEqual({
      LambdaArn: 'arn:aws:lambda:eu-west-1:210987654321:function:central-logging-firehose-processor:$LATEST',
      BufferSizeInMBs: '0.5',
      BufferIntervalInSeconds: '120',
    });
  });

  test('the archive bucket is versioned, private, owner-enforced, KMS-encrypted, and locked for audit', () => {
    expect(run.named('archive-bucket', 'aws:s3/bucket:Bucket').inputs['objectLockEnabled']).toBe(true);
    expect(run.named('archive-bucket-versioning').inputs).toMatchObject({
      versioningConfiguration: { status: 'Enabled' },
    });
    expect(run.named('archive-bucket-public-access').inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(run.named('archive-bucket-ownership').inputs).toMatchObject({
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    expect(run.named('archive-bucket-encryption').inputs['rules']).toEqual([
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: KEY_ARN },
        bucketKeyEnabled: true,
      },
    ]);
    expect(run.named('archive-bucket-object-lock').inputs).toMatchObject({
      rule: { defaultRetention: { mode: 'COMPLIANCE', days: 365 } },
    });
  });

  test('the archive lifecycle moves objects Standard → Glacier IR → Glacier → Deep Archive → expiry', () => {
    const [rule] = run.named('archive-bucket-lifecycle').inputs['rules'] as Record<string, unknown>[];
    expect(rule).toMatchObject({
      status: 'Enabled',
      transitions: [
        { days: 30, storageClass: 'GLACIER_IR' },
        { days: 90, storageClass: 'GLACIER' },
        { days: 365, storageClass: 'DEEP_ARCHIVE' },
      ],
      expiration: { days: 2557 },
      noncurrentVersionExpiration: { noncurrentDays: 30 },
    });
  });

  test('without objectLock the bucket has none; tiers set to 0 are skipped', async () => {
    const plain = await runProgram({
      archive: { glacierInstantDays: 0, glacierFlexibleDays: 60, deepArchiveDays: 200, expireDays: 400 },
    });
    expect(plain.named('archive-bucket', 'aws:s3/bucket:Bucket').inputs['objectLockEnabled']).toBe(false);
    expect(plain.ofType('aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration')).toEqual([]);
    const [rule] = plain.named('archive-bucket-lifecycle').inputs['rules'] as { transitions: unknown[] }[];
    expect(rule?.transitions).toEqual([
      { days: 60, storageClass: 'GLACIER' },
      { days: 200, storageClass: 'DEEP_ARCHIVE' },
    ]);
  });

  test('bucket policies wait for Block Public Access', () => {
    expect(run.named('archive-bucket-policy').dependsOn).toContain('archive-bucket-public-access');
    expect(run.named('cloudtrail-bucket-policy').dependsOn).toContain('cloudtrail-bucket-public-access');
  });
});

describe('OpenSearch domain', () => {
  test('is encrypted, HTTPS-only with a modern TLS policy, and uses fine-grained access control', () => {
    const domain = run.named('search-domain');
    expect(domain.inputs).toMatchObject({
      domainName: 'central-logging',
      engineVersion: 'OpenSearch_2.19',
      clusterConfig: {
        instanceType: 'r7g.large.search',
        instanceCount: 3,
        zoneAwarenessEnabled: true,
        zoneAwarenessConfig: { availabilityZoneCount: 3 },
        dedicatedMasterEnabled: true,
        dedicatedMasterType: 'm7g.large.search',
        dedicatedMasterCount: 3,
      },
      ebsOptions: { ebsEnabled: true, volumeType: 'gp3', volumeSize: 200, iops: 3000, throughput: 125 },
      encryptAtRest: { enabled: true, kmsKeyId: KEY_ARN },
      nodeToNodeEncryption: { enabled: true },
      domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: 'Policy-Min-TLS-1-2-PFS-2023-10' },
      advancedSecurityOptions: {
        enabled: true,
        anonymousAuthEnabled: false,
        internalUserDatabaseEnabled: false,
        masterUserOptions: {
          masterUserArn: 'arn:aws:iam::210987654321:role/central-logging-opensearch-admin',
        },
      },
    });
    expect(domain.inputs['vpcOptions']).toBeUndefined();
  });

  test('publishes slow, application and audit logs to its own encrypted log groups', () => {
    const options = run.named('search-domain').inputs['logPublishingOptions'] as { logType: string }[];
    expect(options.map((o) => o.logType).sort()).toEqual([
      'AUDIT_LOGS',
      'ES_APPLICATION_LOGS',
      'INDEX_SLOW_LOGS',
      'SEARCH_SLOW_LOGS',
    ]);
    expect(run.named('search-domain').dependsOn).toContain('search-log-publishing');
  });

  test('its access policy names the indexer (writes only), the master role and the configured admins', () => {
    const policy = json(run.named('search-access').inputs['accessPolicies']);
    const statements = policy['Statement'] as {
      Sid: string;
      Principal: { AWS: string[] };
      Action: string[];
    }[];
    expect(statements.map((s) => [s.Sid, s.Principal.AWS, s.Action.length])).toEqual([
      ['PipelineWrites', [run.named('indexer-fn-role').state['arn']], 2],
      [
        'Administrators',
        [
          'arn:aws:iam::210987654321:role/central-logging-opensearch-admin',
          'arn:aws:iam::210987654321:role/platform-admin',
        ],
        6,
      ],
    ]);
  });

  test('with opensearch.vpc it builds a VPC (awsx), places the domain and the indexer in it', async () => {
    const placed = await runProgram({
      opensearch: {
        instanceType: 'r7g.large.search',
        instanceCount: 2,
        availabilityZones: 2,
        vpc: { cidrBlock: '10.40.0.0/16' },
      },
    });
    expect(placed.invokes).toEqual(['aws:ec2/getPrefixList:getPrefixList']);
    const vpc = placed.named('search-vpc');
    expect(vpc.type).toBe('awsx:ec2:Vpc');
    expect(vpc.inputs).toMatchObject({
      cidrBlock: '10.40.0.0/16',
      numberOfAvailabilityZones: 2,
      natGateways: { strategy: 'None' },
      subnetSpecs: [{ type: 'Isolated', cidrMask: 20 }],
    });
    const endpoints = placed.ofType('aws:ec2/vpcEndpoint:VpcEndpoint').map((e) => e.inputs['serviceName']);
    expect(endpoints.sort()).toEqual(['kms', 'logs', 's3', 'sts'].map((s) => `com.amazonaws.eu-west-1.${s}`));
    const domain = placed.named('search-domain');
    expect(domain.inputs['vpcOptions']).toEqual({
      subnetIds: ['subnet-0a', 'subnet-0b'],
      securityGroupIds: [placed.named('search-domain-sg').state['id'] ?? 'search-domain-sg-id'],
    });
    const indexerFn = placed.named('indexer-fn-function');
    expect(indexerFn.inputs['vpcConfig']).toMatchObject({
      subnetIds: ['subnet-0a', 'subnet-0b', 'subnet-0c'],
    });
    // The alerts function calls Slack on the internet: it stays outside the isolated VPC.
    expect(placed.named('alerts-fn-function').inputs['vpcConfig']).toBeUndefined();
    const ingress = placed.named('search-domain-sg').inputs['ingress'] as { securityGroups: string[] }[];
    expect(ingress).toEqual([
      expect.objectContaining({ fromPort: 443, toPort: 443, securityGroups: ['search-clients-sg-id'] }),
    ]);
  });

  test('every accepted VPC size (/16–/24) holds one isolated subnet per zone', () => {
    for (let vpcMask = 16; vpcMask <= 24; vpcMask++) {
      for (const zones of [2, 3]) {
        const mask = isolatedSubnetMask(`10.40.0.0/${vpcMask}`, zones);
        expect(2 ** (mask - vpcMask), `/${vpcMask} over ${zones} zones`).toBeGreaterThanOrEqual(zones);
        // AWS's smallest subnet is a /28.
        expect(mask).toBeLessThanOrEqual(28);
      }
    }
  });

  test('in a /24 VPC the isolated subnets shrink so that one fits in each of three zones', async () => {
    const small = await runProgram({ opensearch: { vpc: { cidrBlock: '10.40.0.0/24' } } });
    expect(small.named('search-vpc').inputs).toMatchObject({
      cidrBlock: '10.40.0.0/24',
      numberOfAvailabilityZones: 3,
      subnetSpecs: [{ type: 'Isolated', cidrMask: 26 }],
    });
  });
});

describe('pipeline Lambdas', () => {
  const functions = [
    ['archive-processor', 'central-logging-firehose-processor', 1024, 120],
    ['indexer-fn', 'central-logging-indexer', 1024, 120],
    ['alerts-fn', 'central-logging-alerts', 512, 60],
  ] as const;

  test.each(functions)(
    '%s: built bundle, arm64, Node.js 22, memory/timeout from config',
    (name, fn, memory, timeout) => {
      const lambda = run.named(`${name}-function`);
      expect(lambda.inputs).toMatchObject({
        name: fn,
        runtime: 'nodejs22.x',
        architectures: ['arm64'],
        handler: 'index.handler',
        memorySize: memory,
        timeout,
        loggingConfig: { logGroup: `/aws/lambda/${fn}` },
      });
      expect(lambda.dependsOn).toEqual(expect.arrayContaining([`${name}-access`, `${name}-logs`]));
    },
  );

  test.each(functions)('%s: its log group has retention and the key', (name, fn) => {
    expect(run.named(`${name}-logs`).inputs).toMatchObject({
      name: `/aws/lambda/${fn}`,
      retentionInDays: 90,
      kmsKeyId: KEY_ARN,
    });
  });

  test('the code is the packages’ built bundles, never their source', async () => {
    const code = (name: string) =>
      (run.named(`${name}-function`).inputs['code'] as { path: Promise<string> | string }).path;
    expect(await code('archive-processor')).toMatch(/packages\/decoder\/dist\/lambda\/firehose$/);
    expect(await code('indexer-fn')).toMatch(/packages\/indexer\/dist\/lambda\/indexer$/);
    expect(await code('alerts-fn')).toMatch(/packages\/alerts\/dist\/lambda\/alerts$/);
  });

  test('the environment points each function at what it uses', () => {
    expect(run.named('indexer-fn-function').inputs['environment']).toEqual({
      variables: {
        OPENSEARCH_URL: 'https://search-central-logging-abc123.eu-west-1.es.amazonaws.com',
        OPENSEARCH_AUTH: 'sigv4',
        INDEX_PREFIX: 'logs',
        DEAD_LETTER_BUCKET: 'archive-bucket-1a2b3c',
        DEAD_LETTER_PREFIX: 'dead-letter/indexer/',
        // The example stack watches for quiet accounts, which needs the per-account metric.
        METRICS_BY_ACCOUNT: 'true',
      },
    });
    const alerts = (
      run.named('alerts-fn-function').inputs['environment'] as { variables: Record<string, string> }
    ).variables;
    expect(alerts).toMatchObject({
      ALERTS_TABLE: run.named('alerts-state').state['name'],
      ALERTS_SNS_TOPIC_ARN: run.named('alerts-topic').state['arn'],
      DASHBOARDS_URL: 'https://search-central-logging-abc123.eu-west-1.es.amazonaws.com/_dashboards',
      ALERTS_SLACK_WEBHOOK: run.named('alerts-slack-webhook').state['arn'],
    });
    // The webhook URL itself is never in the environment.
    expect(JSON.stringify(alerts)).not.toContain('hooks.slack.com');
    expect(run.named('archive-processor-function').inputs['environment']).toEqual({
      variables: { FIREHOSE_OUTPUT_COMPRESSION: 'gzip' },
    });
  });

  test.each([
    ['indexer', 500, 2, 2, undefined],
    ['alerts', 500, 1, 1, undefined],
  ] as const)(
    '%s reads the stream with partial batch responses, bisect, bounded retries and an on-failure queue',
    (name, batchSize, window, parallelization, tumbling) => {
      const mapping = run.named(`${name}-source`);
      expect(mapping.inputs).toMatchObject({
        eventSourceArn: run.named('log-stream-stream').state['arn'],
        functionName: run.named(`${name}-fn-function`).state['arn'],
        startingPosition: 'LATEST',
        batchSize,
        maximumBatchingWindowInSeconds: window,
        parallelizationFactor: parallelization,
        bisectBatchOnFunctionError: true,
        functionResponseTypes: ['ReportBatchItemFailures'],
        destinationConfig: { onFailure: { destinationArn: run.named(`${name}-on-failure`).state['arn'] } },
      });
      expect(mapping.inputs['maximumRetryAttempts']).toBeGreaterThan(0);
      expect(mapping.inputs['maximumRecordAgeInSeconds']).toBeGreaterThan(0);
      expect(mapping.inputs['tumblingWindowInSeconds']).toBe(tumbling);
      expect(mapping.dependsOn).toContain(`${name}-fn-access`);
      expect(run.named(`${name}-on-failure`).inputs).toMatchObject({ kmsMasterKeyId: KEY_ARN });
    },
  );

  test('the alerts tumbling window is taken from config when set', async () => {
    const windowed = await runProgram({ functions: { alerts: { tumblingWindowSeconds: 300 } } });
    expect(windowed.named('alerts-source').inputs['tumblingWindowInSeconds']).toBe(300);
  });

  test('a missing bundle fails the program with the command that builds it', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-bundles-'));
    expect(() => bundleArchive('indexer', empty)).toThrow(
      /The indexer Lambda bundle is missing \(.*packages\/indexer\/dist\/lambda\/indexer\/index\.mjs\).*pnpm nx run-many -t build/,
    );
  });
});

describe('alerts state and fan-out', () => {
  test('the table matches the alerts package schema, with TTL, PITR and the key', () => {
    expect(run.named('alerts-state').inputs).toMatchObject({
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'pk',
      globalSecondaryIndexes: [
        {
          name: 'pending',
          keySchemas: [
            { attributeName: 'pendingShard', keyType: 'HASH' },
            { attributeName: 'nextAttemptAt', keyType: 'RANGE' },
          ],
          projectionType: 'KEYS_ONLY',
        },
      ],
      ttl: { attributeName: 'expiresAt', enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: KEY_ARN },
    });
  });

  test('the topic is encrypted and subscribed from config; the webhook is a secret', () => {
    expect(run.named('alerts-topic').inputs['kmsMasterKeyId']).toBe(KEY_ARN);
    expect(run.named('alerts-subscription-0').inputs).toMatchObject({
      protocol: 'email',
      endpoint: 'security-alerts@example.com',
    });
    expect(run.named('alerts-slack-webhook').inputs['kmsKeyId']).toBe(KEY_ARN);
    // Marked secret, so Pulumi encrypts it in the state and masks it in output.
    expect(run.named('alerts-slack-webhook-value').inputs['secretString']).toEqual({
      '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270',
      value: 'https://hooks.slack.com/services/T000/B000/XXXX',
    });
  });

  test('without a Slack webhook there is no secret and no webhook variable', async () => {
    const quiet = await runProgram({}, { secrets: {} });
    expect(quiet.ofType('aws:secretsmanager/secret:Secret')).toEqual([]);
    const variables = (quiet.named('alerts-fn-function').inputs['environment'] as { variables: object })
      .variables;
    expect(variables).not.toHaveProperty('ALERTS_SLACK_WEBHOOK');
  });
});

describe('CloudTrail organization bucket', () => {
  test('is hardened like the archive, with its own lifecycle', () => {
    expect(run.named('cloudtrail-bucket-public-access').inputs).toMatchObject({
      restrictPublicBuckets: true,
    });
    const [rule] = run.named('cloudtrail-bucket-lifecycle').inputs['rules'] as Record<string, unknown>[];
    expect(rule).toMatchObject({
      transitions: [{ days: 90, storageClass: 'GLACIER' }],
      expiration: { days: 2557 },
    });
  });
});

describe('pipeline health alarms', () => {
  const alarm = (name: string): DeclaredResource['inputs'] => run.named(`pipeline-alarms-${name}`).inputs;

  test('cover the stream, Firehose, every Lambda, both queues and the cluster', () => {
    const metrics = run
      .ofType('aws:cloudwatch/metricAlarm:MetricAlarm')
      .map((a) => `${String(a.inputs['namespace'])} ${String(a.inputs['metricName'])}`);
    for (const expected of [
      'AWS/Kinesis GetRecords.IteratorAgeMilliseconds',
      'AWS/Kinesis WriteProvisionedThroughputExceeded',
      'AWS/Kinesis ReadProvisionedThroughputExceeded',
      'AWS/Firehose DeliveryToS3.Success',
      'AWS/Firehose DeliveryToS3.DataFreshness',
      'AWS/Lambda Errors',
      'AWS/Lambda Throttles',
      'AWS/Lambda IteratorAge',
      'AWS/SQS ApproximateNumberOfMessagesVisible',
      'AWS/ES ClusterStatus.red',
      'AWS/ES ClusterStatus.yellow',
      'AWS/ES FreeStorageSpace',
      'AWS/ES JVMMemoryPressure',
    ]) {
      expect(metrics).toContain(expected);
    }
    const topic = run.named('pipeline-alarms-topic').state['arn'];
    for (const a of run.ofType('aws:cloudwatch/metricAlarm:MetricAlarm')) {
      expect(a.inputs['alarmActions'], a.name).toEqual([topic]);
    }
    expect(run.named('pipeline-alarms-topic').inputs['kmsMasterKeyId']).toBe(KEY_ARN);
  });

  test('errors and throttles alarm per function; thresholds come from config', () => {
    for (const role of ['firehose-processor', 'indexer', 'alerts']) {
      expect(alarm(`${role}-errors`)).toMatchObject({
        dimensions: { FunctionName: `central-logging-${role}` },
        threshold: 0,
      });
      expect(alarm(`${role}-throttles`)['metricName']).toBe('Throttles');
    }
    expect(alarm('stream-iterator-age')['threshold']).toBe(300_000);
    expect(alarm('free-storage')).toMatchObject({
      threshold: 20 * 1024,
      comparisonOperator: 'LessThanThreshold',
    });
    expect(alarm('cluster-red')['dimensions']).toEqual({
      DomainName: 'central-logging',
      ClientId: '210987654321',
    });
  });

  test('an account that goes quiet for quietAccountHours alarms (missing data breaches)', () => {
    const quiet = run
      .ofType('aws:cloudwatch/metricAlarm:MetricAlarm')
      .filter((a) => a.name.includes('-quiet-'));
    expect(quiet.map((a) => (a.inputs['dimensions'] as { Account: string }).Account).sort()).toEqual([
      '123456789012',
      '210987654321',
      '345678901234',
      '456789012345',
      '567890123456',
    ]);
    expect(present(quiet[0], 'a quiet-account alarm').inputs).toMatchObject({
      namespace: 'CentralLogging',
      metricName: 'AccountEvents',
      period: 3600,
      evaluationPeriods: 6,
      treatMissingData: 'breaching',
    });
  });
});
