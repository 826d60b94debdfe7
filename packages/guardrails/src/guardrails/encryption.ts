// Guardrail 1: data at rest is encrypted with a customer-managed KMS key (ours, with a key policy we
// control and CloudTrail records of its use), never with an AWS-owned or AWS-managed key; data in
// transit to OpenSearch uses TLS 1.2 or later; and our KMS keys rotate.
import { defineResourcePolicy, type CheckContext } from '../define.ts';
import { Unknown, at } from '../inputs.ts';
import {
  DYNAMODB_TABLE,
  FIREHOSE_DELIVERY_STREAM,
  KINESIS_STREAM,
  KMS_KEY,
  LOG_GROUP,
  OPENSEARCH_DOMAIN,
  S3_BUCKET,
  S3_BUCKET_SSE,
  S3_BUCKET_SSE_V2,
  S3_BUCKET_V2,
  SECRETS_MANAGER_SECRET,
  SNS_TOPIC,
  SQS_QUEUE,
} from '../resource-types.ts';
import { quotedList, requireTrue, shown } from './common.ts';

/** Configuration of the `encryption-with-customer-managed-key` policy. */
export interface EncryptionConfig {
  /** OpenSearch `domainEndpointOptions.tlsSecurityPolicy` values accepted (all require TLS 1.2+). */
  allowedTlsPolicies: string[];
}

export const ENCRYPTION_DEFAULTS: EncryptionConfig = {
  allowedTlsPolicies: ['Policy-Min-TLS-1-2-2019-07', 'Policy-Min-TLS-1-2-PFS-2023-10'],
};

type Context = CheckContext<EncryptionConfig>;

/** True for an AWS-managed key, addressed as `alias/aws/<service>` or by that alias's ARN. */
export function isAwsManagedKeyAlias(keyId: string): boolean {
  return /(^|:)alias\/aws\//.test(keyId);
}

/**
 * Reports unless `keyId` names a customer-managed key. The ARN of a key the same stack creates is
 * unknown during preview; it counts as set, since what matters is that the program sets one.
 */
function requireCustomerManagedKey(
  context: Context,
  keyId: unknown,
  field: string,
  withoutIt?: string,
): void {
  if (keyId instanceof Unknown) return;
  if (typeof keyId !== 'string' || keyId.trim() === '') {
    const why = withoutIt ? ` (${withoutIt})` : '';
    context.report(`${field} is not set: set it to the ARN of a customer-managed KMS key${why}.`);
  } else if (isAwsManagedKeyAlias(keyId)) {
    context.report(
      `${field} is the AWS-managed key "${keyId}": set it to the ARN of a customer-managed KMS key.`,
    );
  }
}

// S3 encrypts with a KMS key only under these two algorithms; "AES256" is SSE-S3, an AWS-owned key.
const KMS_SSE_ALGORITHMS = ['aws:kms', 'aws:kms:dsse'];

function checkS3EncryptionRules(context: Context, rules: unknown, field: string): void {
  if (rules instanceof Unknown) return context.skip(rules);
  const list = Array.isArray(rules) ? rules : rules === undefined ? [] : [rules];
  if (list.length === 0) {
    context.report(
      `${field} is empty: add a rule with applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: <customer-managed KMS key ARN> }.`,
    );
  }
  list.forEach((rule, index) => {
    const label = `${Array.isArray(rules) ? `${field}[${index}]` : field}.applyServerSideEncryptionByDefault`;
    const byDefault = at(rule, 'applyServerSideEncryptionByDefault');
    if (byDefault instanceof Unknown) return context.skip(byDefault);
    const algorithm = at(byDefault, 'sseAlgorithm');
    if (algorithm instanceof Unknown) return context.skip(algorithm);
    if (typeof algorithm !== 'string' || !KMS_SSE_ALGORITHMS.includes(algorithm)) {
      return context.report(
        `${label}.sseAlgorithm is ${shown(algorithm)}: set it to "aws:kms" (or "aws:kms:dsse") with kmsMasterKeyId set to the ARN of a customer-managed KMS key.`,
      );
    }
    requireCustomerManagedKey(
      context,
      at(byDefault, 'kmsMasterKeyId'),
      `${label}.kmsMasterKeyId`,
      'without it S3 uses the AWS-managed key aws/s3',
    );
  });
}

function checkS3EncryptionConfiguration(context: Context): void {
  checkS3EncryptionRules(context, at(context.props, 'rules'), 'rules');
}

function checkS3BucketInlineEncryption(context: Context): void {
  // v7's Bucket still accepts the deprecated inline configuration; when a program uses it, it must
  // meet the same bar as the separate BucketServerSideEncryptionConfiguration resource.
  const inline = at(context.props, 'serverSideEncryptionConfiguration');
  if (inline === undefined) return;
  checkS3EncryptionRules(context, at(inline, 'rule'), 'serverSideEncryptionConfiguration.rule');
}

function checkFirehose(context: Context): void {
  const { props } = context;
  // Firehose server-side encryption can only be enabled for a DirectPut stream (Firehose API,
  // StartDeliveryStreamEncryption). Reading from a Kinesis stream or MSK, the records at rest are the
  // source's, and the Kinesis stream check requires that source to use our key.
  const readsFromStream =
    at(props, 'kinesisSourceConfiguration') !== undefined ||
    at(props, 'mskSourceConfiguration') !== undefined;
  if (!readsFromStream) {
    const sse = at(props, 'serverSideEncryption');
    const fix =
      'set serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: <customer-managed KMS key ARN> }.';
    if (requireTrue(context, at(sse, 'enabled'), 'serverSideEncryption.enabled', fix)) {
      const keyType = at(sse, 'keyType');
      if (keyType instanceof Unknown) context.skip(keyType);
      else if (keyType !== 'CUSTOMER_MANAGED_CMK') {
        // Without a keyType Firehose uses AWS_OWNED_CMK.
        context.report(`serverSideEncryption.keyType is ${shown(keyType)}: ${fix}`);
      } else requireCustomerManagedKey(context, at(sse, 'keyArn'), 'serverSideEncryption.keyArn');
    }
  }

  const s3 = at(props, 'extendedS3Configuration');
  if (s3 !== undefined) {
    requireCustomerManagedKey(
      context,
      at(s3, 'kmsKeyArn'),
      'extendedS3Configuration.kmsKeyArn',
      'Firehose then writes the archive objects with that key',
    );
  }
}

function checkDynamoDbTable(context: Context): void {
  const sse = at(context.props, 'serverSideEncryption');
  const enabled = requireTrue(
    context,
    at(sse, 'enabled'),
    'serverSideEncryption.enabled',
    'set serverSideEncryption: { enabled: true, kmsKeyArn: <customer-managed KMS key ARN> } (otherwise DynamoDB uses an AWS-owned key).',
  );
  if (enabled) {
    requireCustomerManagedKey(
      context,
      at(sse, 'kmsKeyArn'),
      'serverSideEncryption.kmsKeyArn',
      'without it DynamoDB uses the AWS-managed key aws/dynamodb',
    );
  }
}

function checkOpenSearchDomain(context: Context): void {
  const { props, config } = context;
  const atRest = at(props, 'encryptAtRest');
  const encryptedAtRest = requireTrue(
    context,
    at(atRest, 'enabled'),
    'encryptAtRest.enabled',
    'set encryptAtRest: { enabled: true, kmsKeyId: <customer-managed KMS key ARN> }.',
  );
  if (encryptedAtRest) {
    requireCustomerManagedKey(
      context,
      at(atRest, 'kmsKeyId'),
      'encryptAtRest.kmsKeyId',
      'without it OpenSearch uses the AWS-managed key aws/es',
    );
  }

  requireTrue(
    context,
    at(props, 'nodeToNodeEncryption', 'enabled'),
    'nodeToNodeEncryption.enabled',
    'set nodeToNodeEncryption: { enabled: true }.',
  );

  const endpoint = at(props, 'domainEndpointOptions');
  requireTrue(
    context,
    at(endpoint, 'enforceHttps'),
    'domainEndpointOptions.enforceHttps',
    'set domainEndpointOptions.enforceHttps: true.',
  );
  const tlsPolicy = at(endpoint, 'tlsSecurityPolicy');
  if (tlsPolicy instanceof Unknown) context.skip(tlsPolicy);
  else if (typeof tlsPolicy !== 'string' || !config.allowedTlsPolicies.includes(tlsPolicy)) {
    context.report(
      `domainEndpointOptions.tlsSecurityPolicy is ${shown(tlsPolicy)}: set it to one of ${quotedList(config.allowedTlsPolicies)}.`,
    );
  }
}

/** Resources holding log data (and the key itself) must be encrypted with a customer-managed KMS key. */
export const encryptionWithCustomerManagedKey = defineResourcePolicy<EncryptionConfig>({
  name: 'encryption-with-customer-managed-key',
  description:
    'Log data at rest is encrypted with a customer-managed KMS key (not an AWS-owned or AWS-managed key), OpenSearch traffic uses TLS 1.2+, and KMS keys rotate.',
  severity: 'high',
  remediationSteps:
    'Pass the ARN of the central logging KMS key (kmsKeyId / kmsKeyArn / kmsMasterKeyId, depending on the resource), and turn on the encryption settings named in the violation.',
  defaults: ENCRYPTION_DEFAULTS,
  configSchema: {
    properties: {
      allowedTlsPolicies: {
        type: 'array',
        items: { type: 'string' },
        default: ENCRYPTION_DEFAULTS.allowedTlsPolicies,
        description: 'OpenSearch TLS security policies accepted.',
      },
    },
  },
  checks: {
    [KMS_KEY]: (context) => {
      // Only symmetric encryption keys can rotate automatically; asymmetric and HMAC keys cannot
      // (KMS Developer Guide, "Rotate AWS KMS keys").
      const keySpec = at(context.props, 'customerMasterKeySpec');
      if (typeof keySpec === 'string' && keySpec !== 'SYMMETRIC_DEFAULT') return;
      requireTrue(
        context,
        at(context.props, 'enableKeyRotation'),
        'enableKeyRotation',
        'set enableKeyRotation: true so KMS rotates the key material.',
      );
    },
    [KINESIS_STREAM]: (context) => {
      const encryptionType = at(context.props, 'encryptionType');
      if (encryptionType instanceof Unknown) context.skip(encryptionType);
      else if (encryptionType !== 'KMS') {
        return context.report(
          `encryptionType is ${shown(encryptionType)}: set encryptionType: "KMS" and kmsKeyId to the ARN of a customer-managed KMS key.`,
        );
      }
      requireCustomerManagedKey(context, at(context.props, 'kmsKeyId'), 'kmsKeyId');
    },
    [S3_BUCKET_SSE]: checkS3EncryptionConfiguration,
    [S3_BUCKET_SSE_V2]: checkS3EncryptionConfiguration,
    [S3_BUCKET]: checkS3BucketInlineEncryption,
    [S3_BUCKET_V2]: checkS3BucketInlineEncryption,
    [FIREHOSE_DELIVERY_STREAM]: checkFirehose,
    [SNS_TOPIC]: (context) =>
      requireCustomerManagedKey(
        context,
        at(context.props, 'kmsMasterKeyId'),
        'kmsMasterKeyId',
        'without it the topic is not encrypted at rest',
      ),
    [SQS_QUEUE]: (context) =>
      requireCustomerManagedKey(
        context,
        at(context.props, 'kmsMasterKeyId'),
        'kmsMasterKeyId',
        'sqsManagedSseEnabled uses an AWS-owned key and is not enough',
      ),
    [DYNAMODB_TABLE]: checkDynamoDbTable,
    [OPENSEARCH_DOMAIN]: checkOpenSearchDomain,
    [LOG_GROUP]: (context) =>
      requireCustomerManagedKey(
        context,
        at(context.props, 'kmsKeyId'),
        'kmsKeyId',
        'without it CloudWatch Logs uses its own service key',
      ),
    [SECRETS_MANAGER_SECRET]: (context) =>
      requireCustomerManagedKey(
        context,
        at(context.props, 'kmsKeyId'),
        'kmsKeyId',
        'without it Secrets Manager uses the AWS-managed key aws/secretsmanager',
      ),
  },
});
