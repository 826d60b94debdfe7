import { denyInsecureTransport, policy, type PolicyDocument } from '../policy-document.ts';
import { organizationOnly } from './archive.policies.ts';

export interface CloudTrailBucketInputs {
  readonly bucketArn: string;
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly centralAccountId: string;
  /** The organization trail (created in the management account by member-baseline). */
  readonly trailArn: string;
}

/**
 * The organization trail's bucket: CloudTrail may check the ACL and write under
 * `AWSLogs/<org id>/` (member accounts) and `AWSLogs/<management account>/` (the management
 * account's own events), with the bucket owner in control, and only for that one trail.
 */
export function cloudTrailBucketPolicy(inputs: CloudTrailBucketInputs): PolicyDocument {
  const { bucketArn, trailArn } = inputs;
  return policy(
    {
      Sid: 'CloudTrailChecksAcl',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:GetBucketAcl',
      Resource: bucketArn,
      Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
    },
    {
      Sid: 'OrganizationTrailWrites',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: [
        `${bucketArn}/AWSLogs/${inputs.organizationId}/*`,
        `${bucketArn}/AWSLogs/${inputs.managementAccountId}/*`,
      ],
      Condition: {
        StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn },
      },
    },
    denyInsecureTransport(bucketArn),
    ...organizationOnly(bucketArn, inputs.organizationId, inputs.centralAccountId),
  );
}
