// Guardrail 2 (per stack): every S3 bucket has a BucketPublicAccessBlock with all four flags on, so
// no later policy or ACL change can make it public. Which bucket a block belongs to is a question
// about two resources, so this is a stack policy (matching: bucket-companions.ts).
import type { StackValidationPolicy } from '@pulumi/policy';
import { PreviewGaps, Unknown } from '../inputs.ts';
import { S3_PUBLIC_ACCESS_BLOCK } from '../resource-types.ts';
import { bucketsOf, bucketsWithout, companionsOf } from './bucket-companions.ts';
import { quotedList } from './common.ts';

/** The four settings of a BucketPublicAccessBlock, all of which must be true. */
export const PUBLIC_ACCESS_BLOCK_FLAGS = [
  'blockPublicAcls',
  'blockPublicPolicy',
  'ignorePublicAcls',
  'restrictPublicBuckets',
] as const;

/** Every S3 bucket in the stack has a BucketPublicAccessBlock with all four flags true. */
export const s3PublicAccessBlock: StackValidationPolicy = {
  name: 's3-public-access-block',
  description:
    'Every S3 bucket has an aws.s3.BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.',
  enforcementLevel: 'mandatory',
  severity: 'critical',
  remediationSteps:
    'Next to each bucket, declare new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }).',
  validateStack: (args, reportViolation) => {
    const gaps = new PreviewGaps();
    const buckets = bucketsOf(args.resources);
    const blocks = companionsOf(args.resources, [S3_PUBLIC_ACCESS_BLOCK], buckets);

    for (const block of blocks) {
      const off = PUBLIC_ACCESS_BLOCK_FLAGS.filter((flag) => {
        const value = block.props[flag];
        if (value instanceof Unknown) gaps.skip(value);
        return !(value instanceof Unknown) && value !== true;
      });
      if (off.length > 0) {
        reportViolation(
          `BucketPublicAccessBlock "${block.resource.name}" leaves ${quotedList(off)} off: set all four of ${quotedList(PUBLIC_ACCESS_BLOCK_FLAGS)} to true.`,
          block.resource.urn,
        );
      }
    }

    for (const bucket of bucketsWithout(buckets, blocks, gaps)) {
      reportViolation(
        `Bucket "${bucket.resource.name}" has no BucketPublicAccessBlock: add an aws.s3.BucketPublicAccessBlock with bucket: <bucket>.id and ${quotedList(PUBLIC_ACCESS_BLOCK_FLAGS)} all true.`,
        bucket.resource.urn,
      );
    }
    gaps.throwIfAny();
  },
};
