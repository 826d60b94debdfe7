// Guardrail 2 (per resource): nothing that holds or serves log data is open to the internet. A policy
// statement may name "anyone" only together with a condition that ties the caller to our
// organization, account or a specific source; S3 ACLs stay private; a public OpenSearch endpoint has
// fine-grained access control (and a separate DomainPolicy is checked like the domain's own policy);
// Lambda functions are not invocable by anyone. The other half of this guardrail, the S3 public
// access blocks, is a stack check (s3-public-access-block.ts).
import { defineResourcePolicy, type CheckContext } from '../define.ts';
import {
  grantsEveryone,
  hasRestrictingCondition,
  isAllow,
  parsePolicyDocument,
  statementLabel,
  unknownIn,
} from '../iam-policy.ts';
import { Unknown, at } from '../inputs.ts';
import {
  LAMBDA_FUNCTION_URL,
  LAMBDA_PERMISSION,
  OPENSEARCH_DOMAIN,
  OPENSEARCH_DOMAIN_POLICY,
  S3_BUCKET,
  S3_BUCKET_ACL,
  S3_BUCKET_ACL_V2,
  S3_BUCKET_POLICY,
  S3_BUCKET_V2,
} from '../resource-types.ts';
import { requireTrue } from './common.ts';

/** The `no-public-access` policy has no configuration. */
export type PublicAccessConfig = Record<string, never>;

type Context = CheckContext<PublicAccessConfig>;

/** Condition keys that make an "anyone" statement in a bucket policy acceptable. */
export const BUCKET_POLICY_CONDITION_KEYS = [
  'aws:PrincipalOrgID',
  'aws:PrincipalAccount',
  'aws:SourceAccount',
  'aws:SourceArn',
] as const;

/** Condition keys that make an "anyone" statement in an OpenSearch access policy acceptable. */
export const OPENSEARCH_POLICY_CONDITION_KEYS = [...BUCKET_POLICY_CONDITION_KEYS, 'aws:SourceIp'] as const;

// Canned ACLs that grant to everyone or to every AWS account (S3 User Guide, "Canned ACL").
const PUBLIC_CANNED_ACLS = ['public-read', 'public-read-write', 'authenticated-read'];

/** Reports every Allow statement of a policy document that lets anyone in without a restricting condition. */
function checkPolicyDocument(
  context: Context,
  value: unknown,
  field: string,
  conditionKeys: readonly string[],
): void {
  const document = parsePolicyDocument(value);
  if (document.kind === 'absent') return;
  if (document.kind === 'unknown') return context.skip(document.unknown);
  if (document.kind === 'invalid')
    return context.report(`${field} ${document.reason}: fix the policy document.`);

  document.statements.forEach((statement, index) => {
    const unknown = unknownIn(statement, ['Effect', 'Principal', 'NotPrincipal']);
    if (unknown) return context.skip(unknown);
    if (!isAllow(statement) || !grantsEveryone(statement)) return;
    const condition = statement['Condition'];
    if (condition instanceof Unknown) return context.skip(condition);
    if (hasRestrictingCondition(statement, conditionKeys)) return;
    context.report(
      `${field} ${statementLabel(statement, index)} allows any principal ("*" or NotPrincipal) without a condition on ${conditionKeys.join(', ')}: name the principals, or add a Condition such as StringEquals { "aws:PrincipalOrgID": "<organization id>" }.`,
    );
  });
}

function checkCannedAcl(context: Context): void {
  const acl = at(context.props, 'acl');
  if (acl instanceof Unknown) return context.skip(acl);
  if (typeof acl === 'string' && PUBLIC_CANNED_ACLS.includes(acl)) {
    context.report(`acl is "${acl}": remove it (the default is "private"); log buckets are never public.`);
  }
}

function checkBucket(context: Context): void {
  checkCannedAcl(context);
  // v7's Bucket still takes the deprecated inline policy; it gets the same check as a BucketPolicy.
  checkPolicyDocument(context, at(context.props, 'policy'), 'policy', BUCKET_POLICY_CONDITION_KEYS);
}

function checkOpenSearchDomain(context: Context): void {
  const { props } = context;
  const vpcOptions = at(props, 'vpcOptions');
  if (vpcOptions instanceof Unknown) return context.skip(vpcOptions);
  // Inside a VPC the endpoint is private and security groups guard it; outside, it is on the internet.
  const subnetIds = at(vpcOptions, 'subnetIds');
  if (subnetIds instanceof Unknown || (Array.isArray(subnetIds) && subnetIds.length > 0)) return;

  requireTrue(
    context,
    at(props, 'advancedSecurityOptions', 'enabled'),
    'advancedSecurityOptions.enabled',
    'a domain without vpcOptions has a public endpoint; turn on fine-grained access control (advancedSecurityOptions: { enabled: true, ... }) or put the domain in a VPC.',
  );
  checkPolicyDocument(
    context,
    at(props, 'accessPolicies'),
    'accessPolicies',
    OPENSEARCH_POLICY_CONDITION_KEYS,
  );
}

function checkOpenSearchDomainPolicy(context: Context): void {
  // A DomainPolicy replaces the domain's accessPolicies (central-infra sets the policy this way).
  // Whether the domain is in a VPC is not known from this resource, so the policy is always checked.
  checkPolicyDocument(
    context,
    at(context.props, 'accessPolicies'),
    'accessPolicies',
    OPENSEARCH_POLICY_CONDITION_KEYS,
  );
}

/** Nothing holding or serving log data is open to anyone on the internet. */
export const noPublicAccess = defineResourcePolicy<PublicAccessConfig>({
  name: 'no-public-access',
  description:
    'No bucket policy, S3 ACL, OpenSearch access policy or Lambda permission lets anyone in: "*" principals need an organization, account or source condition, public OpenSearch endpoints need fine-grained access control.',
  severity: 'critical',
  remediationSteps:
    'Name the principals (accounts, services) a statement is for, or add a Condition on aws:PrincipalOrgID / aws:SourceArn / aws:SourceAccount; keep S3 ACLs private; use AWS_IAM auth for function URLs.',
  defaults: {},
  checks: {
    [S3_BUCKET_POLICY]: (context) =>
      checkPolicyDocument(context, at(context.props, 'policy'), 'policy', BUCKET_POLICY_CONDITION_KEYS),
    [S3_BUCKET]: checkBucket,
    [S3_BUCKET_V2]: checkBucket,
    [S3_BUCKET_ACL]: checkCannedAcl,
    [S3_BUCKET_ACL_V2]: checkCannedAcl,
    [OPENSEARCH_DOMAIN]: checkOpenSearchDomain,
    [OPENSEARCH_DOMAIN_POLICY]: checkOpenSearchDomainPolicy,
    [LAMBDA_PERMISSION]: (context) => {
      const principal = at(context.props, 'principal');
      if (principal instanceof Unknown) return context.skip(principal);
      if (principal === '*') {
        context.report(
          'principal is "*", which lets anyone invoke the function: name the invoking service (e.g. "logs.amazonaws.com") or account instead.',
        );
      }
    },
    [LAMBDA_FUNCTION_URL]: (context) => {
      const authorizationType = at(context.props, 'authorizationType');
      if (authorizationType instanceof Unknown) return context.skip(authorizationType);
      if (authorizationType === 'NONE') {
        context.report(
          'authorizationType is "NONE", which makes the function URL public: set it to "AWS_IAM".',
        );
      }
    },
  },
});
