import { describe, expect, it } from 'vitest';
import type { ResourceDescription } from '../src/evaluate.ts';
import { s3PublicAccessBlock as policy, urnOf } from '../src/policies.ts';
import { UNKNOWN_STRING, duringPreview } from './support/preview.ts';
import {
  archiveBucket,
  archivePublicAccessBlock,
  stackFindings,
  withProps,
  withoutProps,
} from './support/resources.ts';

const trailBucket = (): ResourceDescription => ({
  type: 'aws:s3/bucket:Bucket',
  name: 'trail',
  props: { bucket: 'organization-trail-111111111111' },
});

const FLAGS = '"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"';
const missingBlock = (bucket: ResourceDescription) => ({
  message: `Bucket "${bucket.name}" has no BucketPublicAccessBlock: add an aws.s3.BucketPublicAccessBlock with bucket: <bucket>.id and ${FLAGS} all true.`,
  urn: urnOf(bucket),
});

/** A block as a program writes it, `bucket: bucket.id`: the engine records the dependency on that bucket. */
function blockDependingOn(
  bucket: ResourceDescription,
  name: string,
  bucketInput: unknown,
): ResourceDescription {
  return {
    ...withProps(archivePublicAccessBlock(), { bucket: bucketInput }),
    name,
    propertyDependencies: { bucket: [urnOf(bucket)] },
  };
}

describe('s3-public-access-block', () => {
  it('accepts a stack where every bucket has a block with all four flags, matched by name', async () => {
    expect(await stackFindings(policy, [archiveBucket(), archivePublicAccessBlock()])).toEqual([]);
  });

  it('accepts a stack without buckets', async () => {
    expect(await stackFindings(policy, [])).toEqual([]);
  });

  it('reports, on the bucket, a bucket without a block', async () => {
    const findings = await stackFindings(policy, [
      archiveBucket(),
      archivePublicAccessBlock(),
      trailBucket(),
    ]);
    expect(findings).toEqual([missingBlock(trailBucket())]);
  });

  it('reports, on the block, the flags left off', async () => {
    const block = withProps(withoutProps(archivePublicAccessBlock(), 'restrictPublicBuckets'), {
      blockPublicPolicy: false,
    });
    expect(await stackFindings(policy, [archiveBucket(), block])).toEqual([
      {
        message: `BucketPublicAccessBlock "archive-public-access" leaves "blockPublicPolicy", "restrictPublicBuckets" off: set all four of ${FLAGS} to true.`,
        urn: urnOf(block),
      },
    ]);
  });

  it('does not count a block for another bucket', async () => {
    const elsewhere = withProps(archivePublicAccessBlock(), { bucket: 'some-other-bucket' });
    expect(await stackFindings(policy, [archiveBucket(), elsewhere])).toEqual([
      missingBlock(archiveBucket()),
    ]);
  });

  it('checks v7 Bucket and the deprecated BucketV2 alike', async () => {
    const legacy = { ...trailBucket(), type: 'aws:s3/bucketV2:BucketV2' };
    expect(await stackFindings(policy, [archiveBucket(), archivePublicAccessBlock(), legacy])).toEqual([
      missingBlock(legacy),
    ]);
  });

  it('matches a block to its bucket through the recorded dependency when the id is unknown (preview)', async () => {
    const block = blockDependingOn(trailBucket(), 'trail-public-access', UNKNOWN_STRING);
    const stack = [archiveBucket(), archivePublicAccessBlock(), trailBucket(), block].map(duringPreview);
    expect(await stackFindings(policy, stack)).toEqual([]);
  });

  it('uses the dependency over the name when both are there', async () => {
    const block = blockDependingOn(trailBucket(), 'trail-public-access', 'organization-trail-111111111111');
    expect(await stackFindings(policy, [trailBucket(), block, archiveBucket()])).toEqual([
      missingBlock(archiveBucket()),
    ]);
  });

  it('does not guess when a block’s bucket is unknown and untraceable: advisory, the rest still reported', async () => {
    const untraceable = withProps(archivePublicAccessBlock(), {
      bucket: UNKNOWN_STRING,
      blockPublicAcls: false,
    });
    const stack = [archiveBucket(), trailBucket(), untraceable].map(duringPreview);
    expect(await stackFindings(policy, stack)).toEqual([
      {
        message: `BucketPublicAccessBlock "archive-public-access" leaves "blockPublicAcls" off: set all four of ${FLAGS} to true.`,
        urn: urnOf(untraceable),
      },
      {
        message:
          "can't run policy 's3-public-access-block' during preview: string value at .bucket can't be known during preview",
        advisory: true,
      },
    ]);
  });
});
