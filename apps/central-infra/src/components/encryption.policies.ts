import { policy, type PolicyDocument, type Statement } from '../policy-document.ts';

export interface KeyPolicyInputs {
  readonly partition: string;
  readonly accountId: string;
  /** Regions whose CloudWatch Logs encrypt log groups with the key (home + destination regions). */
  readonly regions: readonly string[];
  readonly homeRegion: string;
  readonly organizationId: string;
  /** `arn:aws:cloudtrail:<region>:<management account>:trail/<name>`: the only trail that may encrypt. */
  readonly trailArn: string;
}

/** Services that use the key on a caller's behalf; `kms:ViaService` is checked against these. */
export const KEY_SERVICES = [
  'firehose',
  'kinesis',
  's3',
  'sns',
  'sqs',
  'dynamodb',
  'es',
  'secretsmanager',
] as const;

const CRYPTO = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];

/**
 * The key policy of the pipeline's customer-managed key.
 * - Administration stays with IAM in this account (without it a key can become unmanageable),
 *   but cryptographic use by account principals is allowed only through the pipeline's services
 *   (`kms:ViaService`), and only when their own IAM policy also allows it.
 * - CloudWatch Logs of each region, for log groups of this account only.
 * - CloudTrail, for the organization trail only (`kms:EncryptionContext:aws:cloudtrail:arn`).
 * - CloudWatch alarms publishing to the encrypted SNS topics of this account.
 */
export function keyPolicy(inputs: KeyPolicyInputs): PolicyDocument {
  const { partition, accountId } = inputs;
  const root = `arn:${partition}:iam::${accountId}:root`;
  const administration: Statement = {
    Sid: 'AdministerThroughIam',
    Effect: 'Allow',
    Principal: { AWS: root },
    // Not kms:Create*: it would match kms:CreateGrant, letting a role grant itself direct use.
    Action: [
      'kms:CreateAlias',
      'kms:Describe*',
      'kms:Enable*',
      'kms:List*',
      'kms:Put*',
      'kms:Update*',
      'kms:Revoke*',
      'kms:Disable*',
      'kms:Get*',
      'kms:Delete*',
      'kms:TagResource',
      'kms:UntagResource',
      'kms:ScheduleKeyDeletion',
      'kms:CancelKeyDeletion',
      'kms:RotateKeyOnDemand',
    ],
    Resource: '*',
  };
  const viaServices = KEY_SERVICES.map((service) => `${service}.${inputs.homeRegion}.amazonaws.com`);
  const throughServices: Statement = {
    Sid: 'UseThroughPipelineServices',
    Effect: 'Allow',
    Principal: { AWS: root },
    Action: CRYPTO,
    Resource: '*',
    Condition: {
      StringEquals: { 'kms:CallerAccount': accountId, 'kms:ViaService': viaServices },
    },
  };
  const grants: Statement = {
    // OpenSearch, DynamoDB and Firehose hold the key through grants made for their resources.
    Sid: 'GrantsForServiceResources',
    Effect: 'Allow',
    Principal: { AWS: root },
    Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
    Resource: '*',
    Condition: {
      StringEquals: { 'kms:CallerAccount': accountId, 'kms:ViaService': viaServices },
      Bool: { 'kms:GrantIsForAWSResource': 'true' },
    },
  };
  const logs: Statement[] = inputs.regions.map((region) => ({
    Sid: `CloudWatchLogs${region.replace(/-/g, '')}`,
    Effect: 'Allow',
    Principal: { Service: `logs.${region}.amazonaws.com` },
    Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    Resource: '*',
    Condition: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${accountId}:log-group:*`,
      },
    },
  }));
  const cloudtrail: Statement[] = [
    {
      Sid: 'OrganizationTrailEncrypts',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: {
        StringEquals: { 'aws:SourceArn': inputs.trailArn },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': inputs.trailArn },
      },
    },
    {
      Sid: 'OrganizationTrailDescribes',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:DescribeKey',
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceArn': inputs.trailArn } },
    },
  ];
  const alarms: Statement = {
    Sid: 'CloudWatchAlarmsPublish',
    Effect: 'Allow',
    Principal: { Service: 'cloudwatch.amazonaws.com' },
    Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    Resource: '*',
    Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
  };
  return policy(administration, throughServices, grants, ...logs, ...cloudtrail, alarms);
}
