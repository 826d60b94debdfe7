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
 * Trust of a destination's role: CloudWatch Logs of that one region assumes it, for log groups of
 * the organization (or of the listed accounts) only.
 */
export function destinationRoleTrust(
  partition: string,
  region: string,
  access: DestinationAccess,
): PolicyDocument {
  const condition: Conditions =
    access.kind === 'organization'
      ? {
          StringLike: { 'aws:SourceArn': `arn:${partition}:logs:${region}:*:*` },
          StringEquals: { 'aws:SourceOrgID': access.organizationId },
        }
      : {
          StringLike: {
            'aws:SourceArn': access.accountIds.map((id) => `arn:${partition}:logs:${region}:${id}:*`),
          },
          StringEquals: { 'aws:SourceAccount': [...access.accountIds] },
        };
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
