// The pack's policies: the list the PolicyPack in index.ts serves, each policy on its own for tests
// that run it on mocked resources, and the helpers that run them outside the engine.
import type { Policies, ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import { destinationPolicyOrgScoped } from './guardrails/destination-policy.ts';
import { encryptionWithCustomerManagedKey } from './guardrails/encryption.ts';
import { logRetention } from './guardrails/log-retention.ts';
import { noPublicAccess } from './guardrails/public-access.ts';
import { s3BucketEncryption } from './guardrails/s3-bucket-encryption.ts';
import { s3PublicAccessBlock } from './guardrails/s3-public-access-block.ts';
import { subscriptionsExcludePipeline } from './guardrails/subscriptions.ts';

export {
  DESTINATION_POLICY_ACTIONS,
  DESTINATION_POLICY_MAX_BYTES,
  destinationPolicyOrgScoped,
  type DestinationPolicyConfig,
} from './guardrails/destination-policy.ts';
export {
  ENCRYPTION_DEFAULTS,
  encryptionWithCustomerManagedKey,
  isAwsManagedKeyAlias,
  type EncryptionConfig,
} from './guardrails/encryption.ts';
export {
  CLOUDWATCH_RETENTION_DAYS,
  LOG_RETENTION_DEFAULTS,
  logRetention,
  type LogRetentionConfig,
} from './guardrails/log-retention.ts';
export {
  BUCKET_POLICY_CONDITION_KEYS,
  OPENSEARCH_POLICY_CONDITION_KEYS,
  noPublicAccess,
  type PublicAccessConfig,
} from './guardrails/public-access.ts';
export { s3BucketEncryption } from './guardrails/s3-bucket-encryption.ts';
export { PUBLIC_ACCESS_BLOCK_FLAGS, s3PublicAccessBlock } from './guardrails/s3-public-access-block.ts';
export {
  SUBSCRIPTIONS_DEFAULTS,
  excludedLogGroups,
  subscriptionsExcludePipeline,
  type SubscriptionsConfig,
} from './guardrails/subscriptions.ts';
export {
  evaluatePolicies,
  evaluateResource,
  evaluateStack,
  urnOf,
  type PackConfig,
  type ResourceDescription,
  type Violation,
} from './evaluate.ts';

/** The pack's name and description, as `pulumi preview --policy-pack` shows them. */
export const guardrails = {
  name: 'central-logging-guardrails',
  description:
    'Guardrails for the central logging platform: customer-managed KMS encryption, no public access, bounded log retention, org-scoped log destinations, and subscriptions that never loop the pipeline into itself.',
} as const;

/** The policies that check one resource at a time. */
export const resourcePolicies: ResourceValidationPolicy[] = [
  encryptionWithCustomerManagedKey,
  noPublicAccess,
  logRetention,
  destinationPolicyOrgScoped,
  subscriptionsExcludePipeline,
];

/** The policies that check the stack as a whole. */
export const stackPolicies: StackValidationPolicy[] = [s3PublicAccessBlock, s3BucketEncryption];

/** Every policy of the pack. */
export const policies: Policies = [...resourcePolicies, ...stackPolicies];
