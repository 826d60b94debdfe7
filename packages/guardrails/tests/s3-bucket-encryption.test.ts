import { describe, expect, it } from 'vitest';
import type { ResourceDescription } from '../src/evaluate.ts';
import { evaluatePolicies, policies, s3BucketEncryption as policy, urnOf } from '../src/policies.ts';
import { UNKNOWN_STRING, duringPreview } from './support/preview.ts';
import {
  KEY_ARN,
  archiveBucket,
  archiveEncryption,
  archivePublicAccessBlock,
  stackFindings,
  withProps,
} from './support/resources.ts';

const trailBucket = (): ResourceDescription => ({
  type: 'aws:s3/bucket:Bucket',
  name: 'trail',
  props: { bucket: 'organization-trail-111111111111' },
});

const missingConfiguration = (bucket: ResourceDescription) => ({
  message: `Bucket "${bucket.name}" has no BucketServerSideEncryptionConfiguration, so S3 encrypts it with SSE-S3 (an AWS-owned key): add an aws.s3.BucketServerSideEncryptionConfiguration with bucket: <bucket>.id and a rule applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: <customer-managed KMS key ARN> }.`,
  urn: urnOf(bucket),
});

/** A configuration as a program writes it, `bucket: bucket.id`: the engine records the dependency. */
function configurationDependingOn(
  bucket: ResourceDescription,
  name: string,
  bucketInput: unknown,
): ResourceDescription {
  return {
    ...withProps(archiveEncryption(), { bucket: bucketInput }),
    name,
    propertyDependencies: { bucket: [urnOf(bucket)] },
  };
}

describe('s3-bucket-encryption', () => {
  it('accepts a stack where every bucket has an encryption configuration, matched by name', async () => {
    expect(await stackFindings(policy, [archiveBucket(), archiveEncryption()])).toEqual([]);
  });

  it('accepts a stack without buckets', async () => {
    expect(await stackFindings(policy, [])).toEqual([]);
  });

  it('reports, on the bucket, a bucket without an encryption configuration', async () => {
    expect(await stackFindings(policy, [archiveBucket(), archiveEncryption(), trailBucket()])).toEqual([
      missingConfiguration(trailBucket()),
    ]);
  });

  it('accepts the deprecated inline configuration of a bucket', async () => {
    const inline = withProps(trailBucket(), {
      serverSideEncryptionConfiguration: {
        rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: KEY_ARN } },
      },
    });
    expect(await stackFindings(policy, [inline])).toEqual([]);
  });

  it('does not count a configuration for another bucket', async () => {
    const elsewhere = withProps(archiveEncryption(), { bucket: 'some-other-bucket' });
    expect(await stackFindings(policy, [archiveBucket(), elsewhere])).toEqual([
      missingConfiguration(archiveBucket()),
    ]);
  });

  it('checks the deprecated BucketV2 and BucketServerSideEncryptionConfigurationV2 alike', async () => {
    const legacy = { ...trailBucket(), type: 'aws:s3/bucketV2:BucketV2' };
    const legacyConfiguration = {
      ...withProps(archiveEncryption(), { bucket: 'organization-trail-111111111111' }),
      type: 'aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2',
    };
    expect(await stackFindings(policy, [legacy])).toEqual([missingConfiguration(legacy)]);
    expect(await stackFindings(policy, [legacy, legacyConfiguration])).toEqual([]);
  });

  it('matches a configuration to its bucket through the recorded dependency when the id is unknown (preview)', async () => {
    const configuration = configurationDependingOn(trailBucket(), 'trail-encryption', UNKNOWN_STRING);
    const stack = [archiveBucket(), archiveEncryption(), trailBucket(), configuration].map(duringPreview);
    expect(await stackFindings(policy, stack)).toEqual([]);
  });

  it('does not guess when a configuration’s bucket is unknown and untraceable: advisory only', async () => {
    const untraceable = withProps(archiveEncryption(), { bucket: UNKNOWN_STRING });
    const stack = [archiveBucket(), trailBucket(), untraceable].map(duringPreview);
    expect(await stackFindings(policy, stack)).toEqual([
      {
        message:
          "can't run policy 's3-bucket-encryption' during preview: string value at .bucket can't be known during preview",
        advisory: true,
      },
    ]);
  });

  it('leaves the configuration’s rules to encryption-with-customer-managed-key: SSE-S3 is refused there', async () => {
    const sseS3 = withProps(archiveEncryption(), {
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    const found = await evaluatePolicies(policies, [archiveBucket(), sseS3, archivePublicAccessBlock()]);
    expect(found.map((violation) => violation.policy)).toEqual(['encryption-with-customer-managed-key']);
  });
});
