import { describe, expect, it } from 'vitest';
import { destinationPolicyOrgScoped as policy } from '../src/policies.ts';
import {
  DESTINATION_ARN,
  MEMBER_ACCOUNTS,
  destinationPolicy,
  destinationPolicyDocument,
  messages,
  withProps,
} from './support/resources.ts';

const ORG_FIX = 'add Condition StringEquals { "aws:PrincipalOrgID": "<organization id>" }';

/** The destination policy with its one statement changed. */
function withStatement(changes: Record<string, unknown>, drop: string[] = []) {
  const [statement] = destinationPolicyDocument()['Statement'] as Record<string, unknown>[];
  const changed = Object.fromEntries(
    Object.entries({ ...statement, ...changes }).filter(([key]) => !drop.includes(key)),
  );
  return withProps(destinationPolicy(), {
    accessPolicy: JSON.stringify({ Version: '2012-10-17', Statement: [changed] }),
  });
}

describe('destination-policy-org-scoped', () => {
  it('accepts the organization-wide policy', async () => {
    expect(await messages(policy, destinationPolicy())).toEqual([]);
  });

  it('accepts the document as an object as well as a JSON string', async () => {
    expect(
      await messages(policy, withProps(destinationPolicy(), { accessPolicy: destinationPolicyDocument() })),
    ).toEqual([]);
  });

  it('accepts member accounts listed by id or root ARN, without the org condition', async () => {
    const accounts = [MEMBER_ACCOUNTS[0], `arn:aws:iam::${MEMBER_ACCOUNTS[1]}:root`];
    expect(await messages(policy, withStatement({ Principal: { AWS: accounts } }, ['Condition']))).toEqual(
      [],
    );
  });

  it('refuses "*" without the org condition', async () => {
    expect(await messages(policy, withStatement({}, ['Condition']))).toEqual([
      `accessPolicy statement "OrganizationSubscriptions" allows "*" without an aws:PrincipalOrgID condition: ${ORG_FIX}, or name only 12-digit account ids as principals.`,
    ]);
  });

  it('does not accept a source-account condition in place of the org condition', async () => {
    const statement = withStatement({
      Condition: { StringEquals: { 'aws:SourceAccount': MEMBER_ACCOUNTS[0] } },
    });
    expect(await messages(policy, statement)).toEqual([
      `accessPolicy statement "OrganizationSubscriptions" allows "*" without an aws:PrincipalOrgID condition: ${ORG_FIX}, or name only 12-digit account ids as principals.`,
    ]);
  });

  it('refuses principals that are not accounts (roles, services) without the org condition', async () => {
    const role = 'arn:aws:iam::222222222222:role/log-shipper';
    expect(
      await messages(
        policy,
        withStatement({ Principal: { AWS: [MEMBER_ACCOUNTS[0], role] } }, ['Condition']),
      ),
    ).toEqual([
      `accessPolicy statement "OrganizationSubscriptions" allows "${role}" without an aws:PrincipalOrgID condition: ${ORG_FIX}, or name only 12-digit account ids as principals.`,
    ]);
  });

  it('refuses NotPrincipal without the org condition', async () => {
    expect(
      await messages(
        policy,
        withStatement({ NotPrincipal: { AWS: MEMBER_ACCOUNTS[0] } }, ['Principal', 'Condition']),
      ),
    ).toEqual([
      `accessPolicy statement "OrganizationSubscriptions" uses NotPrincipal without an aws:PrincipalOrgID condition: ${ORG_FIX}, or list the member account ids in Principal.`,
    ]);
  });

  it('refuses actions other than creating subscriptions', async () => {
    expect(
      await messages(policy, withStatement({ Action: ['logs:PutSubscriptionFilter', 'logs:*'] })),
    ).toEqual([
      'accessPolicy statement "OrganizationSubscriptions" allows "logs:*": allow only "logs:PutSubscriptionFilter" (and "logs:PutAccountPolicy" for account-level subscription policies).',
    ]);
  });

  it('compares action names case-insensitively and accepts a single action string', async () => {
    expect(await messages(policy, withStatement({ Action: 'Logs:putSubscriptionFilter' }))).toEqual([]);
  });

  it('refuses NotAction, which allows everything else', async () => {
    expect(
      await messages(policy, withStatement({ NotAction: 'logs:DeleteDestination' }, ['Action'])),
    ).toEqual([
      'accessPolicy statement "OrganizationSubscriptions" uses NotAction, which allows every other action: list the allowed actions in Action instead ("logs:PutSubscriptionFilter", "logs:PutAccountPolicy").',
    ]);
  });

  it('reports every problem of a statement', async () => {
    expect(await messages(policy, withStatement({ Action: 'logs:*' }, ['Condition', 'Sid']))).toEqual([
      'accessPolicy statement 1 allows "logs:*": allow only "logs:PutSubscriptionFilter" (and "logs:PutAccountPolicy" for account-level subscription policies).',
      `accessPolicy statement 1 allows "*" without an aws:PrincipalOrgID condition: ${ORG_FIX}, or name only 12-digit account ids as principals.`,
    ]);
  });

  it('ignores Deny statements', async () => {
    const document = destinationPolicyDocument();
    const deny = { Effect: 'Deny', Principal: '*', Action: 'logs:*', Resource: DESTINATION_ARN };
    const withDeny = { ...document, Statement: [...(document['Statement'] as unknown[]), deny] };
    expect(
      await messages(policy, withProps(destinationPolicy(), { accessPolicy: JSON.stringify(withDeny) })),
    ).toEqual([]);
  });

  it('refuses a document over 5,120 bytes', async () => {
    // Listing accounts one by one is what makes a destination policy outgrow the limit.
    const accounts = Array.from({ length: 400 }, (_, index) => String(100000000000 + index));
    const large = withStatement({ Principal: { AWS: accounts } }, ['Condition']);
    const bytes = Buffer.byteLength(large.props['accessPolicy'] as string);
    expect(bytes).toBeGreaterThan(5120);
    expect(await messages(policy, large)).toEqual([
      `accessPolicy is ${bytes} bytes, over the 5120 bytes CloudWatch Logs accepts: grant the organization with one aws:PrincipalOrgID condition instead of listing accounts.`,
    ]);
  });

  it('reports a document that is not JSON', async () => {
    expect(
      await messages(policy, withProps(destinationPolicy(), { accessPolicy: 'Allow everyone' })),
    ).toEqual([
      expect.stringMatching(/^accessPolicy is not valid JSON \(.+\): write it as a JSON policy document\.$/),
    ]);
  });

  it('reports a document without statements', async () => {
    expect(
      await messages(policy, withProps(destinationPolicy(), { accessPolicy: '{"Version":"2012-10-17"}' })),
    ).toEqual(['accessPolicy has no Statement: write it as a JSON policy document.']);
  });
});
