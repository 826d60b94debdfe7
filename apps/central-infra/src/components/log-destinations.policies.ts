import { keyUse, policy, type Conditions, type PolicyDocument } from '../policy-document.ts';

/** Who may subscribe to the destinations: the whole organization, or a list of accounts. */
export type DestinationAccess =
  | { readonly kind: 'organization'; readonly organizationId: string }
  | { readonly kind: 'accounts'; readonly accountIds: readonly string[] };

/** AWS refuses a destination access policy over 5,120 bytes (PutDestinationPolicy). */
export const DESTINATION_POLICY_LIMIT_BYTES = 5120;

/**
 * The destination's access policy: member accounts may point subscription filters (per log group,
 * or an account-level subscription filter policy) at it; nothing else.
 */
export function destinationAccessPolicy(destinationArn: string, access: DestinationAccess): PolicyDocument {
  const actions = ['logs:PutSubscriptionFilter', 'logs:PutAccountPolicy'];
  if (access.kind === 'organization') {
    return policy({
      Sid: 'OrganizationMembersSubscribe',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: actions,
      Resource: destinationArn,
      Condition: { StringEquals: { 'aws:PrincipalOrgID': access.organizationId } },
    });
  }
  return policy({
    Sid: 'ListedAccountsSubscribe',
    Effect: 'Allow',
    Principal: { AWS: [...access.accountIds] },
    Action: actions,
    Resource: destinationArn,
  });
}

/** Bytes of the account-list policy for `accounts` ids (12 digits each), for checking config early. */
export function destinationPolicyBytes(accounts: number, region: string, destinationName: string): number {
  const arn = `arn:aws-us-gov:logs:${region}:000000000000:destination:${destinationName}`;
  const accountIds = Array.from({ length: accounts }, (_, i) => String(i).padStart(12, '0'));
  return Buffer.byteLength(JSON.stringify(destinationAccessPolicy(arn, { kind: 'accounts', accountIds })));
}

/**
 * IAM refuses a role trust policy over 2,048 characters, whitespace not counted (the default
 * quota; 4,096 at most on request).
 */
export const ROLE_TRUST_POLICY_LIMIT_CHARS = 2048;

/** Characters of a role trust policy as IAM counts them against its limit. */
export function trustPolicyChars(document: PolicyDocument): number {
  return JSON.stringify(document).replace(/\s/g, '').length;
}

/**
 * Trust of a destination's role: CloudWatch Logs of that one region assumes it, in `organization`
 * mode for log groups of the organization only.
 *
 * In `accounts` mode the trust does not list the accounts: the destination access policy already
 * decides which accounts may subscribe, and a per-account `aws:SourceArn` / `aws:SourceAccount`
 * list costs about 60 characters an account, so a fleet of 30 would exceed IAM's 2,048-character
 * trust policy limit long before the 5,120-byte access policy is full (about 320 accounts). The
 * trust stays the same size for every fleet.
 */
export function destinationRoleTrust(
  partition: string,
  region: string,
  access: DestinationAccess,
): PolicyDocument {
  const sourceArn = { 'aws:SourceArn': `arn:${partition}:logs:${region}:*:*` };
  const condition: Conditions =
    access.kind === 'organization'
      ? { StringLike: sourceArn, StringEquals: { 'aws:SourceOrgID': access.organizationId } }
      : { StringLike: sourceArn };
  return policy({
    Sid: 'CloudWatchLogsOfTheOrganization',
    Effect: 'Allow',
    Principal: { Service: 'logs.amazonaws.com' },
    Action: 'sts:AssumeRole',
    Condition: condition,
  });
}

/** What CloudWatch Logs may do with a destination's role: put records into the one stream. */
export function destinationRolePolicy(streamArn: string, keyArn: string, homeRegion: string): PolicyDocument {
  return policy(
    {
      Sid: 'PutIntoTheLogStream',
      Effect: 'Allow',
      Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
      Resource: streamArn,
    },
    keyUse('EncryptForTheStream', keyArn, { service: 'kinesis', region: homeRegion }, [
      'kms:GenerateDataKey',
    ]),
  );
}
