// Resources of the central logging stack as the policies see them: the inputs the Pulumi program in
// apps/central-infra passes (camelCase, as in the @pulumi/aws v7 Args), every one compliant. Tests
// build a variant with one change each (`withProps`, `withoutProps`).
import {
  evaluateResource,
  evaluateStack,
  type PackConfig,
  type ResourceDescription,
} from '../../src/evaluate.ts';
import type { ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';

export const ACCOUNT = '111111111111';
export const MEMBER_ACCOUNTS = ['222222222222', '333333333333'];
export const ORG_ID = 'o-a1b2c3d4e5';
export const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0f3c2a8e-5b1d-4c7a-9e2f-6d8b4a1c3e57`;
export const STREAM_ARN = `arn:aws:kinesis:eu-west-1:${ACCOUNT}:stream/central-logging`;
export const DESTINATION_ARN = `arn:aws:logs:eu-west-1:${ACCOUNT}:destination:central-logging`;
export const TRAIL_ARN = `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/organization-trail`;

export const PIPELINE_LOG_GROUPS = [
  '/aws/lambda/central-logging-firehose-processor',
  '/aws/lambda/central-logging-indexer',
  '/aws/lambda/central-logging-alerts',
  '/aws/kinesisfirehose/central-logging-archive',
  '/aws/opensearch/central-logging/index_slow_logs',
  '/aws/opensearch/central-logging/search_slow_logs',
  '/aws/opensearch/central-logging/es_application_logs',
  '/aws/opensearch/central-logging/audit_logs',
];

/** A copy of `resource` with some inputs replaced (one change per test). */
export function withProps(
  resource: ResourceDescription,
  changes: Record<string, unknown>,
): ResourceDescription {
  return { ...resource, props: { ...resource.props, ...changes } };
}

/** A copy of `resource` without the given inputs. */
export function withoutProps(resource: ResourceDescription, ...names: string[]): ResourceDescription {
  const props = Object.fromEntries(Object.entries(resource.props).filter(([name]) => !names.includes(name)));
  return { ...resource, props };
}

/** The messages a resource policy reports for one resource. */
export async function messages(
  policy: ResourceValidationPolicy,
  resource: ResourceDescription,
  config: PackConfig = {},
): Promise<string[]> {
  return (await evaluateResource(policy, resource, config)).map((violation) => violation.message);
}

/** The messages and URNs a stack policy reports for a list of resources. */
export async function stackFindings(
  policy: StackValidationPolicy,
  resources: readonly ResourceDescription[],
): Promise<{ message: string; urn?: string; advisory?: boolean }[]> {
  return (await evaluateStack(policy, resources)).map(({ message, urn, advisory }) => ({
    message,
    ...(urn === undefined ? {} : { urn }),
    ...(advisory === undefined ? {} : { advisory }),
  }));
}

export const kmsKey = (): ResourceDescription => ({
  type: 'aws:kms/key:Key',
  name: 'central-logging-key',
  props: {
    description: 'Encrypts the central logging pipeline: stream, archive, index, alert state.',
    deletionWindowInDays: 30,
    enableKeyRotation: true,
    policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Admin',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    }),
  },
});

export const kinesisStream = (): ResourceDescription => ({
  type: 'aws:kinesis/stream:Stream',
  name: 'central-logging-stream',
  props: {
    name: 'central-logging',
    streamModeDetails: { streamMode: 'ON_DEMAND' },
    retentionPeriod: 48,
    encryptionType: 'KMS',
    kmsKeyId: KEY_ARN,
  },
});

export const archiveBucket = (): ResourceDescription => ({
  type: 'aws:s3/bucket:Bucket',
  name: 'archive',
  props: { bucket: 'central-logging-archive-111111111111', forceDestroy: false },
});

export const archiveEncryption = (): ResourceDescription => ({
  type: 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
  name: 'archive-encryption',
  props: {
    bucket: 'central-logging-archive-111111111111',
    rules: [
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: KEY_ARN },
        bucketKeyEnabled: true,
      },
    ],
  },
});

export const archivePublicAccessBlock = (): ResourceDescription => ({
  type: 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
  name: 'archive-public-access',
  props: {
    bucket: 'central-logging-archive-111111111111',
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  },
});

/** The organization trail's bucket policy, as the CloudTrail docs write it: service principal, SourceArn condition. */
export const trailBucketPolicy = (): ResourceDescription => ({
  type: 'aws:s3/bucketPolicy:BucketPolicy',
  name: 'trail-bucket-policy',
  props: {
    bucket: 'organization-trail-111111111111',
    policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AWSCloudTrailWrite',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::organization-trail-111111111111/AWSLogs/*',
          Condition: {
            StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': TRAIL_ARN },
          },
        },
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [
            'arn:aws:s3:::organization-trail-111111111111',
            'arn:aws:s3:::organization-trail-111111111111/*',
          ],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    }),
  },
});

export const firehose = (): ResourceDescription => ({
  type: 'aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream',
  name: 'archive-firehose',
  props: {
    name: 'central-logging-archive',
    destination: 'extended_s3',
    serverSideEncryption: { enabled: true, keyType: 'CUSTOMER_MANAGED_CMK', keyArn: KEY_ARN },
    extendedS3Configuration: {
      bucketArn: 'arn:aws:s3:::central-logging-archive-111111111111',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/central-logging-firehose`,
      prefix: 'logs/',
      compressionFormat: 'GZIP',
      kmsKeyArn: KEY_ARN,
    },
  },
});

export const alertTopic = (): ResourceDescription => ({
  type: 'aws:sns/topic:Topic',
  name: 'alerts',
  props: { name: 'central-logging-alerts', kmsMasterKeyId: KEY_ARN },
});

export const deadLetterQueue = (): ResourceDescription => ({
  type: 'aws:sqs/queue:Queue',
  name: 'indexer-dlq',
  props: { name: 'central-logging-indexer-dlq', messageRetentionSeconds: 1209600, kmsMasterKeyId: KEY_ARN },
});

export const alertStateTable = (): ResourceDescription => ({
  type: 'aws:dynamodb/table:Table',
  name: 'alert-state',
  props: {
    name: 'central-logging-alert-state',
    billingMode: 'PAY_PER_REQUEST',
    hashKey: 'pk',
    attributes: [{ name: 'pk', type: 'S' }],
    serverSideEncryption: { enabled: true, kmsKeyArn: KEY_ARN },
  },
});

export const openSearchDomain = (): ResourceDescription => ({
  type: 'aws:opensearch/domain:Domain',
  name: 'search',
  props: {
    domainName: 'central-logging',
    engineVersion: 'OpenSearch_2.19',
    clusterConfig: { instanceType: 'r7g.large.search', instanceCount: 3, zoneAwarenessEnabled: true },
    vpcOptions: {
      subnetIds: ['subnet-0a1b2c3d', 'subnet-1a2b3c4d', 'subnet-2a3b4c5d'],
      securityGroupIds: ['sg-0123abcd'],
    },
    encryptAtRest: { enabled: true, kmsKeyId: KEY_ARN },
    nodeToNodeEncryption: { enabled: true },
    domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: 'Policy-Min-TLS-1-2-PFS-2023-10' },
    advancedSecurityOptions: {
      enabled: true,
      internalUserDatabaseEnabled: false,
      masterUserOptions: { masterUserArn: `arn:aws:iam::${ACCOUNT}:role/search-admin` },
    },
  },
});

/** The domain's access policy as central-infra sets it, a separate resource naming the pipeline's roles. */
export const openSearchDomainPolicy = (): ResourceDescription => ({
  type: 'aws:opensearch/domainPolicy:DomainPolicy',
  name: 'search-access',
  props: {
    domainName: 'central-logging',
    accessPolicies: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'PipelineWrites',
          Effect: 'Allow',
          Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:role/central-logging-indexer`] },
          Action: ['es:ESHttpPost', 'es:ESHttpPut'],
          Resource: `arn:aws:es:eu-west-1:${ACCOUNT}:domain/central-logging/*`,
        },
      ],
    }),
  },
});

export const pipelineLogGroup = (): ResourceDescription => ({
  type: 'aws:cloudwatch/logGroup:LogGroup',
  name: 'indexer-logs',
  props: { name: '/aws/lambda/central-logging-indexer', retentionInDays: 30, kmsKeyId: KEY_ARN },
});

export const webhookSecret = (): ResourceDescription => ({
  type: 'aws:secretsmanager/secret:Secret',
  name: 'slack-webhook',
  props: { name: 'central-logging/slack-webhook', kmsKeyId: KEY_ARN },
});

export const destinationPolicyDocument = (): Record<string, unknown> => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'OrganizationSubscriptions',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['logs:PutSubscriptionFilter', 'logs:PutAccountPolicy'],
      Resource: DESTINATION_ARN,
      Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG_ID } },
    },
  ],
});

export const destinationPolicy = (): ResourceDescription => ({
  type: 'aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy',
  name: 'central-logging-destination-policy',
  props: { destinationName: 'central-logging', accessPolicy: JSON.stringify(destinationPolicyDocument()) },
});

export const accountSubscriptionPolicy = (): ResourceDescription => ({
  type: 'aws:cloudwatch/logAccountPolicy:LogAccountPolicy',
  name: 'central-logging-subscription',
  props: {
    policyName: 'central-logging',
    policyType: 'SUBSCRIPTION_FILTER_POLICY',
    policyDocument: JSON.stringify({ DestinationArn: DESTINATION_ARN, Distribution: 'Random' }),
    selectionCriteria: `LogGroupName NOT IN ${JSON.stringify(PIPELINE_LOG_GROUPS)}`,
  },
});

export const subscriptionFilter = (): ResourceDescription => ({
  type: 'aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter',
  name: 'app-logs',
  props: {
    name: 'central-logging',
    logGroup: '/aws/lambda/orders-api',
    filterPattern: '',
    destinationArn: DESTINATION_ARN,
    distribution: 'Random',
  },
});

/** Every compliant resource above, for tests that run the whole pack. */
export function centralStack(): ResourceDescription[] {
  return [
    kmsKey(),
    kinesisStream(),
    archiveBucket(),
    archiveEncryption(),
    archivePublicAccessBlock(),
    firehose(),
    alertTopic(),
    deadLetterQueue(),
    alertStateTable(),
    openSearchDomain(),
    openSearchDomainPolicy(),
    pipelineLogGroup(),
    webhookSecret(),
    destinationPolicy(),
    accountSubscriptionPolicy(),
    subscriptionFilter(),
  ];
}
