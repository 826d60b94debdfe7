import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { policyJson } from '../policy-document.ts';
import { cloudTrailBucketPolicy } from './cloudtrail-bucket.policies.ts';
import { SecureBucket } from './secure-bucket.ts';

export interface CloudTrailBucketArgs {
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly centralAccountId: string;
  readonly trailArn: string;
  readonly glacierDays: number;
  readonly expireDays: number;
  readonly kmsKeyArn: pulumi.Input<string>;
}

/** The bucket the organization trail delivers to, writable only by that trail. */
export class CloudTrailBucket extends pulumi.ComponentResource {
  readonly bucket: SecureBucket;

  constructor(name: string, args: CloudTrailBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super('logging:central:CloudTrailBucket', name, {}, opts);
    this.bucket = new SecureBucket(
      `${name}-bucket`,
      {
        kmsKeyArn: args.kmsKeyArn,
        lifecycleRules: [
          {
            id: 'trail-tiers',
            status: 'Enabled',
            filter: {},
            transitions: args.glacierDays > 0 ? [{ days: args.glacierDays, storageClass: 'GLACIER' }] : [],
            expiration: { days: args.expireDays },
            noncurrentVersionExpiration: { noncurrentDays: 30 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      { parent: this },
    );
    new aws.s3.BucketPolicy(
      `${name}-bucket-policy`,
      {
        bucket: this.bucket.bucket.id,
        policy: this.bucket.arn.apply((bucketArn) =>
          policyJson(
            cloudTrailBucketPolicy({
              bucketArn,
              organizationId: args.organizationId,
              managementAccountId: args.managementAccountId,
              centralAccountId: args.centralAccountId,
              trailArn: args.trailArn,
            }),
          ),
        ),
      },
      { parent: this, dependsOn: [this.bucket.publicAccessBlock] },
    );
    this.registerOutputs({ bucket: this.bucket.name });
  }
}
