import {
  denyInsecureTransport,
  keyUse,
  policy,
  type PolicyDocument,
  type Statement,
} from '../policy-document.ts';

/**
 * Data-perimeter statements for a central bucket: only principals of the organization (or AWS
 * services acting for it) get any access at all, and objects are read only from this account.
 * Allows are granted by IAM policies of this account's roles; these statements only take away.
 */
export function organizationOnly(bucketArn: string, organizationId: string, accountId: string): Statement[] {
  return [
    {
      Sid: 'DenyOutsideTheOrganization',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: {
        StringNotEqualsIfExists: { 'aws:PrincipalOrgID': organizationId },
        BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
      },
    },
    {
      // Member accounts send logs; they never read the central copy.
      Sid: 'DenyReadsFromOtherAccounts',
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket', 's3:ListBucketVersions'],
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { StringNotEquals: { 'aws:PrincipalAccount': accountId } },
    },
  ];
}

/** The archive bucket's policy: TLS only, organization only, readable only from this account. */
export function archiveBucketPolicy(
  bucketArn: string,
  organizationId: string,
  accountId: string,
): PolicyDocument {
  return policy(denyInsecureTransport(bucketArn), ...organizationOnly(bucketArn, organizationId, accountId));
}

export interface FirehoseRoleInputs {
  readonly streamArn: string;
  readonly bucketArn: string;
  readonly keyArn: string;
  readonly processorArn: string;
  readonly logStreamArn: string;
  readonly homeRegion: string;
}

/** Firehose reads the stream, invokes the decoder, writes the archive, and logs delivery errors. */
export function firehoseRolePolicy(inputs: FirehoseRoleInputs): PolicyDocument {
  const { homeRegion } = inputs;
  return policy(
    {
      Sid: 'ReadTheLogStream',
      Effect: 'Allow',
      Action: [
        'kinesis:DescribeStream',
        'kinesis:GetShardIterator',
        'kinesis:GetRecords',
        'kinesis:ListShards',
      ],
      Resource: inputs.streamArn,
    },
    keyUse('DecryptTheStream', inputs.keyArn, { service: 'kinesis', region: homeRegion }, ['kms:Decrypt']),
    {
      Sid: 'InvokeTheDecoder',
      Effect: 'Allow',
      Action: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'],
      Resource: [inputs.processorArn, `${inputs.processorArn}:*`],
    },
    {
      Sid: 'WriteTheArchive',
      Effect: 'Allow',
      Action: [
        's3:AbortMultipartUpload',
        's3:GetBucketLocation',
        's3:ListBucket',
        's3:ListBucketMultipartUploads',
        's3:PutObject',
      ],
      Resource: [inputs.bucketArn, `${inputs.bucketArn}/*`],
    },
    keyUse(
      'EncryptTheArchive',
      inputs.keyArn,
      { service: 's3', region: homeRegion, bucketArn: inputs.bucketArn },
      ['kms:GenerateDataKey', 'kms:Decrypt'],
    ),
    {
      Sid: 'LogDeliveryErrors',
      Effect: 'Allow',
      Action: 'logs:PutLogEvents',
      Resource: inputs.logStreamArn,
    },
  );
}
