import { describe, expect, it } from 'vitest';
import { encryptionWithCustomerManagedKey as policy, isAwsManagedKeyAlias } from '../src/policies.ts';
import {
  KEY_ARN,
  alertStateTable,
  alertTopic,
  archiveBucket,
  archiveEncryption,
  deadLetterQueue,
  firehose,
  kinesisStream,
  kmsKey,
  messages,
  openSearchDomain,
  pipelineLogGroup,
  webhookSecret,
  withProps,
  withoutProps,
} from './support/resources.ts';

describe('encryption-with-customer-managed-key', () => {
  it.each([
    ['KMS key', kmsKey()],
    ['Kinesis stream', kinesisStream()],
    ['bucket encryption configuration', archiveEncryption()],
    ['bucket without inline encryption', archiveBucket()],
    ['Firehose', firehose()],
    ['SNS topic', alertTopic()],
    ['SQS queue', deadLetterQueue()],
    ['DynamoDB table', alertStateTable()],
    ['OpenSearch domain', openSearchDomain()],
    ['log group', pipelineLogGroup()],
    ['secret', webhookSecret()],
  ])('accepts the compliant %s', async (_, resource) => {
    expect(await messages(policy, resource)).toEqual([]);
  });

  it('ignores resources it has no check for', async () => {
    const role = { type: 'aws:iam/role:Role', name: 'indexer', props: { assumeRolePolicy: '{}' } };
    expect(await messages(policy, role)).toEqual([]);
  });

  describe('KMS keys', () => {
    it('requires key rotation', async () => {
      expect(await messages(policy, withoutProps(kmsKey(), 'enableKeyRotation'))).toEqual([
        'enableKeyRotation is not set: set enableKeyRotation: true so KMS rotates the key material.',
      ]);
      expect(await messages(policy, withProps(kmsKey(), { enableKeyRotation: false }))).toEqual([
        'enableKeyRotation is false: set enableKeyRotation: true so KMS rotates the key material.',
      ]);
    });

    it('does not ask asymmetric keys to rotate, which KMS cannot do', async () => {
      const signingKey = withProps(withoutProps(kmsKey(), 'enableKeyRotation'), {
        customerMasterKeySpec: 'RSA_3072',
        keyUsage: 'SIGN_VERIFY',
      });
      expect(await messages(policy, signingKey)).toEqual([]);
    });
  });

  describe('Kinesis streams', () => {
    it('requires KMS encryption', async () => {
      expect(await messages(policy, withoutProps(kinesisStream(), 'encryptionType', 'kmsKeyId'))).toEqual([
        'encryptionType is not set: set encryptionType: "KMS" and kmsKeyId to the ARN of a customer-managed KMS key.',
      ]);
      expect(await messages(policy, withProps(kinesisStream(), { encryptionType: 'NONE' }))).toEqual([
        'encryptionType is "NONE": set encryptionType: "KMS" and kmsKeyId to the ARN of a customer-managed KMS key.',
      ]);
    });

    it('refuses the AWS-managed alias/aws/kinesis', async () => {
      expect(await messages(policy, withProps(kinesisStream(), { kmsKeyId: 'alias/aws/kinesis' }))).toEqual([
        'kmsKeyId is the AWS-managed key "alias/aws/kinesis": set it to the ARN of a customer-managed KMS key.',
      ]);
    });

    it('requires a key id with KMS encryption', async () => {
      expect(await messages(policy, withoutProps(kinesisStream(), 'kmsKeyId'))).toEqual([
        'kmsKeyId is not set: set it to the ARN of a customer-managed KMS key.',
      ]);
    });

    it('accepts an alias of our own key', async () => {
      expect(
        await messages(policy, withProps(kinesisStream(), { kmsKeyId: 'alias/central-logging' })),
      ).toEqual([]);
    });
  });

  describe('S3 encryption', () => {
    const rule = (byDefault: Record<string, unknown>) =>
      withProps(archiveEncryption(), { rules: [{ applyServerSideEncryptionByDefault: byDefault }] });

    it('accepts dual-layer aws:kms:dsse with our key', async () => {
      expect(await messages(policy, rule({ sseAlgorithm: 'aws:kms:dsse', kmsMasterKeyId: KEY_ARN }))).toEqual(
        [],
      );
    });

    it('refuses SSE-S3 (AES256)', async () => {
      expect(await messages(policy, rule({ sseAlgorithm: 'AES256' }))).toEqual([
        'rules[0].applyServerSideEncryptionByDefault.sseAlgorithm is "AES256": set it to "aws:kms" (or "aws:kms:dsse") with kmsMasterKeyId set to the ARN of a customer-managed KMS key.',
      ]);
    });

    it('refuses aws:kms without a key, which means the AWS-managed aws/s3', async () => {
      expect(await messages(policy, rule({ sseAlgorithm: 'aws:kms' }))).toEqual([
        'rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId is not set: set it to the ARN of a customer-managed KMS key (without it S3 uses the AWS-managed key aws/s3).',
      ]);
      expect(
        await messages(policy, rule({ sseAlgorithm: 'aws:kms', kmsMasterKeyId: 'alias/aws/s3' })),
      ).toEqual([
        'rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId is the AWS-managed key "alias/aws/s3": set it to the ARN of a customer-managed KMS key.',
      ]);
    });

    it('refuses a rule without a default encryption', async () => {
      expect(
        await messages(policy, withProps(archiveEncryption(), { rules: [{ bucketKeyEnabled: true }] })),
      ).toEqual([
        'rules[0].applyServerSideEncryptionByDefault.sseAlgorithm is not set: set it to "aws:kms" (or "aws:kms:dsse") with kmsMasterKeyId set to the ARN of a customer-managed KMS key.',
      ]);
    });

    it('checks the deprecated inline configuration of a bucket the same way', async () => {
      const bucket = withProps(archiveBucket(), {
        serverSideEncryptionConfiguration: {
          rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } },
        },
      });
      expect(await messages(policy, bucket)).toEqual([
        'serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm is "AES256": set it to "aws:kms" (or "aws:kms:dsse") with kmsMasterKeyId set to the ARN of a customer-managed KMS key.',
      ]);
    });
  });

  describe('Firehose', () => {
    it('requires server-side encryption with a customer-managed key', async () => {
      expect(await messages(policy, withoutProps(firehose(), 'serverSideEncryption'))).toEqual([
        'serverSideEncryption.enabled is not set: set serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: <customer-managed KMS key ARN> }.',
      ]);
      expect(
        await messages(
          policy,
          withProps(firehose(), { serverSideEncryption: { enabled: true, keyType: 'AWS_OWNED_CMK' } }),
        ),
      ).toEqual([
        'serverSideEncryption.keyType is "AWS_OWNED_CMK": set serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: <customer-managed KMS key ARN> }.',
      ]);
      expect(
        await messages(
          policy,
          withProps(firehose(), { serverSideEncryption: { enabled: true, keyType: 'CUSTOMER_MANAGED_CMK' } }),
        ),
      ).toEqual(['serverSideEncryption.keyArn is not set: set it to the ARN of a customer-managed KMS key.']);
    });

    it('requires the archive objects to be written with our key', async () => {
      const { extendedS3Configuration } = firehose().props as {
        extendedS3Configuration: Record<string, unknown>;
      };
      const withoutKey = withProps(firehose(), {
        extendedS3Configuration: { ...extendedS3Configuration, kmsKeyArn: undefined },
      });
      expect(await messages(policy, withoutKey)).toEqual([
        'extendedS3Configuration.kmsKeyArn is not set: set it to the ARN of a customer-managed KMS key (Firehose then writes the archive objects with that key).',
      ]);
    });

    it('does not ask for server-side encryption when reading from a Kinesis stream, which AWS does not allow', async () => {
      const fromStream = withProps(withoutProps(firehose(), 'serverSideEncryption'), {
        kinesisSourceConfiguration: {
          kinesisStreamArn: 'arn:aws:kinesis:eu-west-1:111111111111:stream/central-logging',
          roleArn: 'arn:aws:iam::111111111111:role/central-logging-firehose',
        },
      });
      expect(await messages(policy, fromStream)).toEqual([]);
    });
  });

  describe('SNS, SQS, log groups, secrets', () => {
    it('refuses the AWS-managed SNS key', async () => {
      expect(await messages(policy, withProps(alertTopic(), { kmsMasterKeyId: 'alias/aws/sns' }))).toEqual([
        'kmsMasterKeyId is the AWS-managed key "alias/aws/sns": set it to the ARN of a customer-managed KMS key.',
      ]);
    });

    it('requires an SNS key', async () => {
      expect(await messages(policy, withoutProps(alertTopic(), 'kmsMasterKeyId'))).toEqual([
        'kmsMasterKeyId is not set: set it to the ARN of a customer-managed KMS key (without it the topic is not encrypted at rest).',
      ]);
    });

    it('does not accept SQS-managed encryption instead of our key', async () => {
      const queue = withProps(withoutProps(deadLetterQueue(), 'kmsMasterKeyId'), {
        sqsManagedSseEnabled: true,
      });
      expect(await messages(policy, queue)).toEqual([
        'kmsMasterKeyId is not set: set it to the ARN of a customer-managed KMS key (sqsManagedSseEnabled uses an AWS-owned key and is not enough).',
      ]);
    });

    it('requires a key on log groups', async () => {
      expect(await messages(policy, withoutProps(pipelineLogGroup(), 'kmsKeyId'))).toEqual([
        'kmsKeyId is not set: set it to the ARN of a customer-managed KMS key (without it CloudWatch Logs uses its own service key).',
      ]);
    });

    it('refuses the AWS-managed Secrets Manager key, even by ARN', async () => {
      const managed = 'arn:aws:kms:eu-west-1:111111111111:alias/aws/secretsmanager';
      expect(await messages(policy, withProps(webhookSecret(), { kmsKeyId: managed }))).toEqual([
        `kmsKeyId is the AWS-managed key "${managed}": set it to the ARN of a customer-managed KMS key.`,
      ]);
    });
  });

  describe('DynamoDB', () => {
    it('requires server-side encryption with our key', async () => {
      expect(await messages(policy, withoutProps(alertStateTable(), 'serverSideEncryption'))).toEqual([
        'serverSideEncryption.enabled is not set: set serverSideEncryption: { enabled: true, kmsKeyArn: <customer-managed KMS key ARN> } (otherwise DynamoDB uses an AWS-owned key).',
      ]);
      expect(
        await messages(policy, withProps(alertStateTable(), { serverSideEncryption: { enabled: true } })),
      ).toEqual([
        'serverSideEncryption.kmsKeyArn is not set: set it to the ARN of a customer-managed KMS key (without it DynamoDB uses the AWS-managed key aws/dynamodb).',
      ]);
    });
  });

  describe('OpenSearch', () => {
    it('reports every missing encryption setting at once', async () => {
      const domain = withoutProps(
        openSearchDomain(),
        'encryptAtRest',
        'nodeToNodeEncryption',
        'domainEndpointOptions',
      );
      expect(await messages(policy, domain)).toEqual([
        'encryptAtRest.enabled is not set: set encryptAtRest: { enabled: true, kmsKeyId: <customer-managed KMS key ARN> }.',
        'nodeToNodeEncryption.enabled is not set: set nodeToNodeEncryption: { enabled: true }.',
        'domainEndpointOptions.enforceHttps is not set: set domainEndpointOptions.enforceHttps: true.',
        'domainEndpointOptions.tlsSecurityPolicy is not set: set it to one of "Policy-Min-TLS-1-2-2019-07", "Policy-Min-TLS-1-2-PFS-2023-10".',
      ]);
    });

    it('requires our key for encryption at rest', async () => {
      expect(
        await messages(policy, withProps(openSearchDomain(), { encryptAtRest: { enabled: true } })),
      ).toEqual([
        'encryptAtRest.kmsKeyId is not set: set it to the ARN of a customer-managed KMS key (without it OpenSearch uses the AWS-managed key aws/es).',
      ]);
    });

    it('refuses TLS 1.0', async () => {
      const domain = withProps(openSearchDomain(), {
        domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: 'Policy-Min-TLS-1-0-2019-07' },
      });
      expect(await messages(policy, domain)).toEqual([
        'domainEndpointOptions.tlsSecurityPolicy is "Policy-Min-TLS-1-0-2019-07": set it to one of "Policy-Min-TLS-1-2-2019-07", "Policy-Min-TLS-1-2-PFS-2023-10".',
      ]);
    });

    it('takes the accepted TLS policies from config', async () => {
      const config = {
        'encryption-with-customer-managed-key': { allowedTlsPolicies: ['Policy-Min-TLS-1-2-PFS-2023-10'] },
      };
      const domain = withProps(openSearchDomain(), {
        domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: 'Policy-Min-TLS-1-2-2019-07' },
      });
      expect(await messages(policy, domain, config)).toEqual([
        'domainEndpointOptions.tlsSecurityPolicy is "Policy-Min-TLS-1-2-2019-07": set it to one of "Policy-Min-TLS-1-2-PFS-2023-10".',
      ]);
    });
  });

  it('recognizes AWS-managed aliases by name and by ARN', () => {
    expect(isAwsManagedKeyAlias('alias/aws/s3')).toBe(true);
    expect(isAwsManagedKeyAlias('arn:aws:kms:eu-west-1:111111111111:alias/aws/sqs')).toBe(true);
    expect(isAwsManagedKeyAlias('alias/central-logging')).toBe(false);
    expect(isAwsManagedKeyAlias('alias/awsome')).toBe(false);
    expect(isAwsManagedKeyAlias(KEY_ARN)).toBe(false);
  });
});
