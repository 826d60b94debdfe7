// Pulumi type tokens of the @pulumi/aws v7 resources the guardrails look at. Policies match on these
// strings rather than on the resource classes so the pack needs no @pulumi/aws dependency.
// v7 renamed BucketV2 to Bucket; the deprecated V2 tokens still exist, so they are checked too.

export const KMS_KEY = 'aws:kms/key:Key';

export const S3_BUCKET = 'aws:s3/bucket:Bucket';
export const S3_BUCKET_V2 = 'aws:s3/bucketV2:BucketV2';
export const S3_BUCKET_TYPES: readonly string[] = [S3_BUCKET, S3_BUCKET_V2];
export const S3_BUCKET_SSE =
  'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration';
export const S3_BUCKET_SSE_V2 =
  'aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2';
export const S3_BUCKET_SSE_TYPES: readonly string[] = [S3_BUCKET_SSE, S3_BUCKET_SSE_V2];
export const S3_BUCKET_ACL = 'aws:s3/bucketAcl:BucketAcl';
export const S3_BUCKET_ACL_V2 = 'aws:s3/bucketAclV2:BucketAclV2';
export const S3_PUBLIC_ACCESS_BLOCK = 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock';
export const S3_BUCKET_POLICY = 'aws:s3/bucketPolicy:BucketPolicy';

export const KINESIS_STREAM = 'aws:kinesis/stream:Stream';
export const FIREHOSE_DELIVERY_STREAM = 'aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream';

export const LOG_GROUP = 'aws:cloudwatch/logGroup:LogGroup';
export const LOG_DESTINATION_POLICY = 'aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy';
export const LOG_ACCOUNT_POLICY = 'aws:cloudwatch/logAccountPolicy:LogAccountPolicy';
export const LOG_SUBSCRIPTION_FILTER = 'aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter';

export const SNS_TOPIC = 'aws:sns/topic:Topic';
export const SQS_QUEUE = 'aws:sqs/queue:Queue';
export const DYNAMODB_TABLE = 'aws:dynamodb/table:Table';
export const OPENSEARCH_DOMAIN = 'aws:opensearch/domain:Domain';
export const OPENSEARCH_DOMAIN_POLICY = 'aws:opensearch/domainPolicy:DomainPolicy';
export const SECRETS_MANAGER_SECRET = 'aws:secretsmanager/secret:Secret';

export const LAMBDA_PERMISSION = 'aws:lambda/permission:Permission';
export const LAMBDA_FUNCTION_URL = 'aws:lambda/functionUrl:FunctionUrl';
