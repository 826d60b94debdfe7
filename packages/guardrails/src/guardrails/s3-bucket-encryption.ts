// Guardrail 1 (per stack): every S3 bucket has a server-side encryption configuration. Without one S3
// still encrypts, with SSE-S3 (an AWS-owned key), which the per-resource encryption check never sees
// because there is no configuration to look at. Which bucket a configuration belongs to is a
// question about two resources, so this is a stack policy (matching: bucket-companions.ts); what the
// configuration says (aws:kms or aws:kms:dsse, with a customer-managed key) is checked on the
// configuration itself by encryption-with-customer-managed-key.
import type { StackValidationPolicy } from '@pulumi/policy';
import { PreviewGaps } from '../inputs.ts';
import { S3_BUCKET_SSE_TYPES } from '../resource-types.ts';
import { bucketsOf, bucketsWithout, companionsOf } from './bucket-companions.ts';

/** Every S3 bucket in the stack has a server-side encryption configuration. */
export const s3BucketEncryption: StackValidationPolicy = {
  name: 's3-bucket-encryption',
  description:
    'Every S3 bucket has an aws.s3.BucketServerSideEncryptionConfiguration (or the deprecated inline configuration), whose rules encryption-with-customer-managed-key checks for aws:kms with a customer-managed key.',
  enforcementLevel: 'mandatory',
  severity: 'high',
  remediationSteps:
    'Next to each bucket, declare new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }] }).',
  validateStack: (args, reportViolation) => {
    const gaps = new PreviewGaps();
    const buckets = bucketsOf(args.resources);
    const configurations = companionsOf(args.resources, S3_BUCKET_SSE_TYPES, buckets);
    // A bucket's deprecated inline configuration counts; encryption-with-customer-managed-key checks it.
    const withoutInline = buckets.filter(
      (bucket) => bucket.props['serverSideEncryptionConfiguration'] === undefined,
    );
    for (const bucket of bucketsWithout(withoutInline, configurations, gaps)) {
      reportViolation(
        `Bucket "${bucket.resource.name}" has no BucketServerSideEncryptionConfiguration, so S3 encrypts it with SSE-S3 (an AWS-owned key): add an aws.s3.BucketServerSideEncryptionConfiguration with bucket: <bucket>.id and a rule applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: <customer-managed KMS key ARN> }.`,
        bucket.resource.urn,
      );
    }
    gaps.throwIfAny();
  },
};
