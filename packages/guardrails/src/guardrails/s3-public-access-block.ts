// Guardrail 2 (per stack): every S3 bucket has a BucketPublicAccessBlock with all four flags on, so
// no later policy or ACL change can make it public. Which bucket a block belongs to is a question
// about two resources, so this is a stack policy.
//
// Matching a block to its bucket: a program writes `bucket: bucket.id` (or `bucket.bucket`). During
// preview that id is unknown, but the engine still records where the input came from, in the block's
// `propertyDependencies.bucket`, so that is looked at first; then a bucket name written as a plain
// string is matched to the buckets' names. A block whose bucket is neither (unknown, and no
// dependency recorded, e.g. from a stack reference) makes the buckets left without a block
// undecidable: they are not reported, and the policy ends with the engine's unknown-value error,
// which Pulumi shows as an advisory ("can't run policy … during preview"). After `pulumi up` every
// value is known and the check runs in full.
import type { PolicyResource, StackValidationPolicy } from '@pulumi/policy';
import { PreviewGaps, Unknown, readInputs } from '../inputs.ts';
import { S3_BUCKET_TYPES, S3_PUBLIC_ACCESS_BLOCK } from '../resource-types.ts';
import { quotedList } from './common.ts';

/** The four settings of a BucketPublicAccessBlock, all of which must be true. */
export const PUBLIC_ACCESS_BLOCK_FLAGS = [
  'blockPublicAcls',
  'blockPublicPolicy',
  'ignorePublicAcls',
  'restrictPublicBuckets',
] as const;

interface Bucket {
  resource: PolicyResource;
  /** The bucket's name (its `bucket` property), when known. */
  name: unknown;
}

interface PublicAccessBlock {
  resource: PolicyResource;
  props: Record<string, unknown>;
  /** URNs of the buckets this block applies to, or the unknown value that hides it. */
  bucketUrns: string[] | Unknown;
}

function bucketUrnsOf(
  block: PolicyResource,
  props: Record<string, unknown>,
  buckets: readonly Bucket[],
): string[] | Unknown {
  const dependencies = (block.propertyDependencies['bucket'] ?? []).filter((resource) =>
    S3_BUCKET_TYPES.includes(resource.type),
  );
  if (dependencies.length > 0) return dependencies.map((resource) => resource.urn);

  const target = props['bucket'];
  if (target instanceof Unknown) return target;
  return buckets
    .filter((bucket) => typeof target === 'string' && bucket.name === target)
    .map((b) => b.resource.urn);
}

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
    const buckets: Bucket[] = args.resources
      .filter((resource) => S3_BUCKET_TYPES.includes(resource.type))
      .map((resource) => ({ resource, name: readInputs(resource.props)['bucket'] }));
    const blocks: PublicAccessBlock[] = args.resources
      .filter((resource) => resource.type === S3_PUBLIC_ACCESS_BLOCK)
      .map((resource) => {
        const props = readInputs(resource.props);
        return { resource, props, bucketUrns: bucketUrnsOf(resource, props, buckets) };
      });

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

    const undecided = blocks.map((block) => block.bucketUrns).find((urns) => urns instanceof Unknown);
    for (const bucket of buckets) {
      const covered = blocks.some(
        (block) => Array.isArray(block.bucketUrns) && block.bucketUrns.includes(bucket.resource.urn),
      );
      if (covered) continue;
      if (undecided) {
        gaps.skip(undecided);
        continue;
      }
      reportViolation(
        `Bucket "${bucket.resource.name}" has no BucketPublicAccessBlock: add an aws.s3.BucketPublicAccessBlock with bucket: <bucket>.id and ${quotedList(PUBLIC_ACCESS_BLOCK_FLAGS)} all true.`,
        bucket.resource.urn,
      );
    }
    gaps.throwIfAny();
  },
};
