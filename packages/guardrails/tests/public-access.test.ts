import { describe, expect, it } from 'vitest';
import { noPublicAccess as policy } from '../src/policies.ts';
import {
  ORG_ID,
  archiveBucket,
  messages,
  openSearchDomain,
  openSearchDomainPolicy,
  trailBucketPolicy,
  withProps,
  withoutProps,
} from './support/resources.ts';

const ANYONE_CONDITIONS = 'aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceAccount, aws:SourceArn';
const OPENSEARCH_CONDITIONS = `${ANYONE_CONDITIONS}, aws:SourceIp`;

/** A bucket policy with one statement; the document is passed as an object, as aws.iam.PolicyDocument. */
function bucketPolicy(statement: Record<string, unknown>) {
  return withProps(trailBucketPolicy(), { policy: { Version: '2012-10-17', Statement: [statement] } });
}

const publicRead = {
  Sid: 'PublicRead',
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::organization-trail-111111111111/*',
};

describe('no-public-access', () => {
  describe('bucket policies', () => {
    it('accepts the CloudTrail bucket policy (service principal, SourceArn, a Deny for "*")', async () => {
      expect(await messages(policy, trailBucketPolicy())).toEqual([]);
    });

    it('refuses an Allow for "*" without a condition', async () => {
      expect(await messages(policy, bucketPolicy(publicRead))).toEqual([
        `policy statement "PublicRead" allows any principal ("*" or NotPrincipal) without a condition on ${ANYONE_CONDITIONS}: name the principals, or add a Condition such as StringEquals { "aws:PrincipalOrgID": "<organization id>" }.`,
      ]);
    });

    it('treats { AWS: "*" } like "*", in a list too', async () => {
      const { Sid: _, ...withoutSid } = publicRead;
      const found = await messages(
        policy,
        bucketPolicy({ ...withoutSid, Principal: { AWS: ['111111111111', '*'] } }),
      );
      expect(found).toEqual([
        `policy statement 1 allows any principal ("*" or NotPrincipal) without a condition on ${ANYONE_CONDITIONS}: name the principals, or add a Condition such as StringEquals { "aws:PrincipalOrgID": "<organization id>" }.`,
      ]);
    });

    it('treats NotPrincipal in an Allow as anyone', async () => {
      const { Principal: _, ...rest } = publicRead;
      const found = await messages(
        policy,
        bucketPolicy({ ...rest, NotPrincipal: { AWS: 'arn:aws:iam::111111111111:root' } }),
      );
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/^policy statement "PublicRead" allows any principal/);
    });

    it.each(['aws:PrincipalOrgID', 'aws:SourceArn', 'aws:SourceAccount', 'aws:PrincipalAccount'])(
      'accepts "*" restricted by %s',
      async (key) => {
        const restricted = { ...publicRead, Condition: { StringEquals: { [key]: ORG_ID } } };
        expect(await messages(policy, bucketPolicy(restricted))).toEqual([]);
      },
    );

    it('compares condition keys case-insensitively, as IAM does', async () => {
      const restricted = { ...publicRead, Condition: { StringEquals: { 'aws:principalorgid': ORG_ID } } };
      expect(await messages(policy, bucketPolicy(restricted))).toEqual([]);
    });

    it.each([
      ['a condition on another key', { StringEquals: { 'aws:SecureTransport': 'true' } }],
      [
        'an …IfExists operator, which passes when the key is missing',
        { StringEqualsIfExists: { 'aws:PrincipalOrgID': ORG_ID } },
      ],
      ['a negated operator', { StringNotEquals: { 'aws:PrincipalOrgID': ORG_ID } }],
      ['a bare "*" value', { StringLike: { 'aws:SourceArn': '*' } }],
    ])('does not count %s as a restriction', async (_, condition) => {
      expect(await messages(policy, bucketPolicy({ ...publicRead, Condition: condition }))).toHaveLength(1);
    });

    it('reports a policy that is not valid JSON', async () => {
      expect(await messages(policy, withProps(trailBucketPolicy(), { policy: '{"Statement": [' }))).toEqual([
        expect.stringMatching(/^policy is not valid JSON \(.+\): fix the policy document\.$/),
      ]);
    });

    it('checks the deprecated inline policy of a bucket', async () => {
      const bucket = withProps(archiveBucket(), { policy: JSON.stringify({ Statement: publicRead }) });
      expect(await messages(policy, bucket)).toEqual([
        `policy statement "PublicRead" allows any principal ("*" or NotPrincipal) without a condition on ${ANYONE_CONDITIONS}: name the principals, or add a Condition such as StringEquals { "aws:PrincipalOrgID": "<organization id>" }.`,
      ]);
    });
  });

  describe('ACLs', () => {
    it('accepts a bucket without an ACL, or with a private one', async () => {
      expect(await messages(policy, archiveBucket())).toEqual([]);
      expect(await messages(policy, withProps(archiveBucket(), { acl: 'private' }))).toEqual([]);
    });

    it.each(['public-read', 'public-read-write', 'authenticated-read'])(
      'refuses the canned ACL %s',
      async (acl) => {
        expect(await messages(policy, withProps(archiveBucket(), { acl }))).toEqual([
          `acl is "${acl}": remove it (the default is "private"); log buckets are never public.`,
        ]);
      },
    );

    it('checks BucketAcl resources too', async () => {
      const bucketAcl = {
        type: 'aws:s3/bucketAcl:BucketAcl',
        name: 'archive-acl',
        props: { bucket: 'archive', acl: 'public-read' },
      };
      expect(await messages(policy, bucketAcl)).toEqual([
        'acl is "public-read": remove it (the default is "private"); log buckets are never public.',
      ]);
    });
  });

  describe('OpenSearch', () => {
    const openPolicy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'es:ESHttp*',
          Resource: 'arn:aws:es:eu-west-1:111111111111:domain/central-logging/*',
        },
      ],
    });

    it('accepts a domain in a VPC, whatever its access policy', async () => {
      expect(await messages(policy, withProps(openSearchDomain(), { accessPolicies: openPolicy }))).toEqual(
        [],
      );
    });

    it('requires fine-grained access control and a restricted access policy on a public domain', async () => {
      const publicDomain = withProps(
        withoutProps(openSearchDomain(), 'vpcOptions', 'advancedSecurityOptions'),
        {
          accessPolicies: openPolicy,
        },
      );
      expect(await messages(policy, publicDomain)).toEqual([
        'advancedSecurityOptions.enabled is not set: a domain without vpcOptions has a public endpoint; turn on fine-grained access control (advancedSecurityOptions: { enabled: true, ... }) or put the domain in a VPC.',
        `accessPolicies statement 1 allows any principal ("*" or NotPrincipal) without a condition on ${OPENSEARCH_CONDITIONS}: name the principals, or add a Condition such as StringEquals { "aws:PrincipalOrgID": "<organization id>" }.`,
      ]);
    });

    it('accepts a public domain with fine-grained access control and an IP-restricted policy', async () => {
      const allowFrom = (cidrs: string[]) =>
        JSON.stringify({
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: '*' },
              Action: 'es:ESHttp*',
              Resource: 'arn:aws:es:eu-west-1:111111111111:domain/central-logging/*',
              Condition: { IpAddress: { 'aws:SourceIp': cidrs } },
            },
          ],
        });
      const publicDomain = withoutProps(openSearchDomain(), 'vpcOptions');
      expect(
        await messages(policy, withProps(publicDomain, { accessPolicies: allowFrom(['203.0.113.0/24']) })),
      ).toEqual([]);
      expect(
        await messages(policy, withProps(publicDomain, { accessPolicies: allowFrom(['0.0.0.0/0']) })),
      ).toEqual([
        `accessPolicies statement 1 allows any principal ("*" or NotPrincipal) without a condition on ${OPENSEARCH_CONDITIONS}: name the principals, or add a Condition such as StringEquals { "aws:PrincipalOrgID": "<organization id>" }.`,
      ]);
    });

    it('checks a separate DomainPolicy like the domain’s own accessPolicies', async () => {
      expect(await messages(policy, openSearchDomainPolicy())).toEqual([]);
      const open = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: 'es:*',
            Resource: 'arn:aws:es:eu-west-1:111111111111:domain/central-logging/*',
          },
        ],
      });
      expect(await messages(policy, withProps(openSearchDomainPolicy(), { accessPolicies: open }))).toEqual([
        `accessPolicies statement 1 allows any principal ("*" or NotPrincipal) without a condition on ${OPENSEARCH_CONDITIONS}: name the principals, or add a Condition such as StringEquals { "aws:PrincipalOrgID": "<organization id>" }.`,
      ]);
      const fromOrganization = JSON.parse(open) as { Statement: Record<string, unknown>[] };
      fromOrganization.Statement[0] = {
        ...fromOrganization.Statement[0],
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG_ID } },
      };
      expect(
        await messages(
          policy,
          withProps(openSearchDomainPolicy(), { accessPolicies: JSON.stringify(fromOrganization) }),
        ),
      ).toEqual([]);
    });

    it('treats an empty vpcOptions as no VPC', async () => {
      const domain = withProps(openSearchDomain(), {
        vpcOptions: { subnetIds: [] },
        advancedSecurityOptions: { enabled: false },
      });
      expect(await messages(policy, domain)).toEqual([
        'advancedSecurityOptions.enabled is false: a domain without vpcOptions has a public endpoint; turn on fine-grained access control (advancedSecurityOptions: { enabled: true, ... }) or put the domain in a VPC.',
      ]);
    });
  });

  describe('Lambda', () => {
    const permission = {
      type: 'aws:lambda/permission:Permission',
      name: 'indexer-invoke',
      props: {
        action: 'lambda:InvokeFunction',
        function: 'central-logging-indexer',
        principal: 'logs.amazonaws.com',
        sourceArn: 'arn:aws:logs:eu-west-1:111111111111:log-group:*',
      },
    };

    it('accepts a service principal', async () => {
      expect(await messages(policy, permission)).toEqual([]);
    });

    it('refuses principal "*"', async () => {
      expect(await messages(policy, withProps(permission, { principal: '*' }))).toEqual([
        'principal is "*", which lets anyone invoke the function: name the invoking service (e.g. "logs.amazonaws.com") or account instead.',
      ]);
    });

    it('refuses a function URL without auth, accepts one with IAM auth', async () => {
      const url = {
        type: 'aws:lambda/functionUrl:FunctionUrl',
        name: 'alerts-url',
        props: { functionName: 'central-logging-alerts', authorizationType: 'NONE' },
      };
      expect(await messages(policy, url)).toEqual([
        'authorizationType is "NONE", which makes the function URL public: set it to "AWS_IAM".',
      ]);
      expect(await messages(policy, withProps(url, { authorizationType: 'AWS_IAM' }))).toEqual([]);
    });
  });
});
