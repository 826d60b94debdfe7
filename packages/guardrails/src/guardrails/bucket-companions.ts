// The stack policies that want a companion resource next to every S3 bucket (a public access block,
// an encryption configuration) find each companion's bucket the same way.
//
// Matching a companion to its bucket: a program writes `bucket: bucket.id` (or `bucket.bucket`).
// During preview that id is unknown, but the engine still records where the input came from, in the
// companion's `propertyDependencies.bucket`, so that is looked at first; then a bucket name written as
// a plain string is matched to the buckets' names. A companion whose bucket is neither (unknown, and
// no dependency recorded, e.g. from a stack reference) makes the buckets left without a companion
// undecidable: they are not reported, and the policy ends with the engine's unknown-value error,
// which Pulumi shows as an advisory ("can't run policy … during preview"). After `pulumi up` every
// value is known and the check runs in full.
import type { PolicyResource } from '@pulumi/policy';
import { Unknown, readInputs, type PreviewGaps } from '../inputs.ts';
import { S3_BUCKET_TYPES } from '../resource-types.ts';

export interface Bucket {
  resource: PolicyResource;
  props: Record<string, unknown>;
}

export interface Companion {
  resource: PolicyResource;
  props: Record<string, unknown>;
  /** URNs of the buckets this companion applies to, or the unknown value that hides it. */
  bucketUrns: string[] | Unknown;
}

/** The stack's S3 buckets, v7 `Bucket` and the deprecated `BucketV2`. */
export function bucketsOf(resources: readonly PolicyResource[]): Bucket[] {
  return resources
    .filter((resource) => S3_BUCKET_TYPES.includes(resource.type))
    .map((resource) => ({ resource, props: readInputs(resource.props) }));
}

/** The resources of `types` in the stack, each with the buckets it applies to. */
export function companionsOf(
  resources: readonly PolicyResource[],
  types: readonly string[],
  buckets: readonly Bucket[],
): Companion[] {
  return resources
    .filter((resource) => types.includes(resource.type))
    .map((resource) => {
      const props = readInputs(resource.props);
      return { resource, props, bucketUrns: bucketUrnsOf(resource, props, buckets) };
    });
}

function bucketUrnsOf(
  companion: PolicyResource,
  props: Record<string, unknown>,
  buckets: readonly Bucket[],
): string[] | Unknown {
  const dependencies = (companion.propertyDependencies['bucket'] ?? []).filter((resource) =>
    S3_BUCKET_TYPES.includes(resource.type),
  );
  if (dependencies.length > 0) return dependencies.map((resource) => resource.urn);

  const target = props['bucket'];
  if (target instanceof Unknown) return target;
  return buckets
    .filter((bucket) => typeof target === 'string' && bucket.props['bucket'] === target)
    .map((bucket) => bucket.resource.urn);
}

/**
 * The buckets no companion applies to. While some companion's bucket is undecidable, none is
 * returned and the gap is recorded (the advisory).
 */
export function bucketsWithout(
  buckets: readonly Bucket[],
  companions: readonly Companion[],
  gaps: PreviewGaps,
): Bucket[] {
  const uncovered = buckets.filter(
    (bucket) =>
      !companions.some(
        (companion) =>
          Array.isArray(companion.bucketUrns) && companion.bucketUrns.includes(bucket.resource.urn),
      ),
  );
  const undecided = companions
    .map((companion) => companion.bucketUrns)
    .find((urns) => urns instanceof Unknown);
  if (undecided && uncovered.length > 0) {
    gaps.skip(undecided);
    return [];
  }
  return uncovered;
}
