import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { input } from '@pulumi/aws/types';

export interface SecureBucketArgs {
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly lifecycleRules: input.s3.BucketLifecycleConfigurationRule[];
  /** Object Lock default retention, for an audit tier no one (not even root, in COMPLIANCE) can shorten. */
  readonly objectLock?: { readonly mode: 'COMPLIANCE' | 'GOVERNANCE'; readonly days: number };
  /** Keep the bucket (and its objects) when the stack is destroyed. */
  readonly retainOnDelete?: boolean;
}

/**
 * A log bucket with everything a log bucket must have: versioning, all four Block Public Access
 * settings, ACLs disabled (bucket owner owns every object), SSE-KMS with the pipeline key and an
 * S3 Bucket Key, and a lifecycle. Its policy is added by the owner, which knows who writes to it.
 */
export class SecureBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly arn: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  /** Resources a bucket policy must wait for (S3 refuses some policies before BPA settles). */
  readonly publicAccessBlock: aws.s3.BucketPublicAccessBlock;

  constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super('logging:central:SecureBucket', name, {}, opts);
    const childOpts = { parent: this };
    this.bucket = new aws.s3.Bucket(
      `${name}`,
      { objectLockEnabled: args.objectLock !== undefined, forceDestroy: false },
      { parent: this, retainOnDelete: args.retainOnDelete ?? true },
    );
    const bucket = this.bucket.id;
    const versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket, versioningConfiguration: { status: 'Enabled' } },
      childOpts,
    );
    this.publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      childOpts,
    );
    new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket, rule: { objectOwnership: 'BucketOwnerEnforced' } },
      childOpts,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: args.kmsKeyArn },
            // One data key per bucket instead of one KMS call per object: fewer requests, lower cost.
            bucketKeyEnabled: true,
          },
        ],
      },
      childOpts,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      { bucket, rules: args.lifecycleRules },
      // S3 needs versioning settled before noncurrent-version rules apply.
      { parent: this, dependsOn: [versioning] },
    );
    if (args.objectLock) {
      new aws.s3.BucketObjectLockConfiguration(
        `${name}-object-lock`,
        {
          bucket,
          rule: { defaultRetention: { mode: args.objectLock.mode, days: args.objectLock.days } },
        },
        { parent: this, dependsOn: [versioning] },
      );
    }
    this.arn = this.bucket.arn;
    this.name = this.bucket.bucket;
    this.registerOutputs({ arn: this.arn, name: this.name });
  }
}
