// The IAM harness on hand-written policies whose AWS decision is known, so that a decision on a
// generated policy can be trusted. Accounts: CENTRAL is the central logging account (owns every
// resource here), MEMBER an account of the organization, OUTSIDER an account outside it.
import { describe, expect, it } from 'vitest';
import {
  evaluate,
  IamHarnessError,
  policyOf,
  type AccessRequest,
  type Caller,
  type Decision,
  type Evaluation,
  type PolicyDocument,
  type PolicyStatement,
} from './support/iam.ts';

const CENTRAL = '111111111111';
const MEMBER = '222222222222';
const OUTSIDER = '999999999999';
const ORG = 'o-abc123';
const REGION = 'eu-west-1';

const policy = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[], Resource: string | string[]): PolicyDocument =>
  policy({ Effect: 'Allow', Action, Resource });
const role = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
const root = (account: string) => `arn:aws:iam::${account}:root`;

function expectDecision(result: Evaluation, expected: Decision): void {
  expect(result.decision, result.explain).toBe(expected);
}

describe('policyOf', () => {
  const doc = allow('s3:GetObject', 'arn:aws:s3:::b/*');

  it('accepts the JSON string or the object a Pulumi mock hands over', () => {
    expect(policyOf(JSON.stringify(doc))).toEqual(doc);
    expect(policyOf(doc)).toBe(doc);
  });

  it('rejects text that is not JSON, saying so', () => {
    expect(() => policyOf('{"Version": "2012-10-17",')).toThrow(/policy is not valid JSON/);
  });

  it('rejects a document without statements, a wrong Effect or an old Version, listing each', () => {
    expect(() => policyOf({ Version: '2012-10-17' })).toThrow(/Statement must be/);
    expect(() => policyOf({ Version: '2008-10-17', Statement: [{ Effect: 'allow', Action: '*' }] })).toThrow(
      /Version must be "2012-10-17"[\s\S]*Statement\[0\]\.Effect must be "Allow" or "Deny"/,
    );
  });
});

describe('evaluate refuses what it cannot decide faithfully', () => {
  const reader: Caller = { principal: role(CENTRAL, 'reader') };
  const get: AccessRequest = {
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::b/k',
    resourceAccount: CENTRAL,
  };

  it("surfaces iam-simulate's validation errors of a policy", async () => {
    // policyOf checks only the shape (a typo'd key passes); the full grammar is the simulator's.
    const typo = policyOf({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::b/*',
          Conditions: {},
        },
      ],
    });
    await expect(evaluate(reader, get, typo)).rejects.toThrow(
      /resource policy Statement\[0\]\.#Conditions: Invalid key Conditions/,
    );
  });

  it('rejects a resource policy statement without Principal (AWS would refuse the policy)', async () => {
    await expect(evaluate(reader, get, allow('s3:GetObject', 'arn:aws:s3:::b/*'))).rejects.toThrow(
      /without Principal/,
    );
  });

  it('rejects an action iam-simulate does not know', async () => {
    const unknown = evaluate(reader, { ...get, action: 's3:GetObjectz' });
    await expect(unknown).rejects.toThrow(IamHarnessError);
    await expect(unknown).rejects.toThrow(/s3:GetObjectz .*invalid\.action/);
  });

  it('rejects a wildcard request resource', async () => {
    const caller = { ...reader, identityPolicies: [allow('s3:GetObject', 'arn:aws:s3:::b/*')] };
    await expect(evaluate(caller, { ...get, resource: 'arn:aws:s3:::b/*' })).rejects.toThrow(/concrete ARN/);
  });

  it('rejects caller facts set as request context', async () => {
    await expect(evaluate(reader, { ...get, context: { 'aws:PrincipalOrgID': ORG } })).rejects.toThrow(
      /set it on the Caller/,
    );
  });
});

describe('bucket policy denying insecure transport', () => {
  const reader = role(CENTRAL, 'reader');
  const bucketPolicy = policy(
    {
      Sid: 'Read',
      Effect: 'Allow',
      Principal: { AWS: reader },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::archive/*',
    },
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: ['arn:aws:s3:::archive', 'arn:aws:s3:::archive/*'],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  );
  const get: AccessRequest = {
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::archive/2025/01/a.gz',
    resourceAccount: CENTRAL,
  };

  it('denies the allowed principal over plain HTTP', async () => {
    const result = await evaluate(
      { principal: reader },
      { ...get, context: { 'aws:SecureTransport': 'false' } },
      bucketPolicy,
    );
    expectDecision(result, 'deny');
  });

  it('allows it over TLS (the default)', async () => {
    expectDecision(await evaluate({ principal: reader }, get, bucketPolicy), 'allow');
  });
});

describe('bucket policy scoped to the organization', () => {
  const bucketPolicy = policy({
    Sid: 'OrgRead',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: 's3:GetObject',
    Resource: 'arn:aws:s3:::shared/*',
    Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
  });
  const get: AccessRequest = {
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::shared/config.json',
    resourceAccount: CENTRAL,
  };
  const readShared = [allow('s3:GetObject', 'arn:aws:s3:::shared/*')];

  it('allows an org member of another account whose identity policy allows too', async () => {
    const caller = { principal: role(MEMBER, 'app'), orgId: ORG, identityPolicies: readShared };
    expectDecision(await evaluate(caller, get, bucketPolicy), 'allow');
  });

  it('refuses the same member without an identity policy (cross-account needs both)', async () => {
    expectDecision(
      await evaluate({ principal: role(MEMBER, 'app'), orgId: ORG }, get, bucketPolicy),
      'implicit-deny',
    );
  });

  it('refuses a caller of another organization', async () => {
    const caller = { principal: role(OUTSIDER, 'app'), orgId: 'o-zzz999', identityPolicies: readShared };
    expectDecision(await evaluate(caller, get, bucketPolicy), 'implicit-deny');
  });

  it('refuses an anonymous caller', async () => {
    expectDecision(await evaluate({ principal: 'anonymous' }, get, bucketPolicy), 'implicit-deny');
  });
});

describe('public bucket policy and S3 Block Public Access', () => {
  const bucketPolicy = policy({
    Effect: 'Allow',
    Principal: '*',
    Action: 's3:GetObject',
    Resource: 'arn:aws:s3:::site/*',
  });
  const get: AccessRequest = {
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::site/index.html',
    resourceAccount: CENTRAL,
  };

  it('lets anyone read without Block Public Access', async () => {
    expectDecision(await evaluate({ principal: 'anonymous' }, get, bucketPolicy), 'allow');
  });

  it('denies the anonymous read once RestrictPublicBuckets applies', async () => {
    const result = await evaluate({ principal: 'anonymous' }, get, bucketPolicy, {
      s3BlockPublicAccess: true,
    });
    expectDecision(result, 'deny');
    expect(result.analysis.blockedBy).toEqual(['s3-bpa']);
  });
});

describe('CloudTrail organization trail bucket', () => {
  const trail = `arn:aws:cloudtrail:${REGION}:${MEMBER}:trail/org-trail`;
  const bucketPolicy = policy(
    {
      Sid: 'AWSCloudTrailAclCheck',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:GetBucketAcl',
      Resource: 'arn:aws:s3:::org-trail',
      Condition: { StringEquals: { 'aws:SourceArn': trail } },
    },
    {
      Sid: 'AWSCloudTrailWrite',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `arn:aws:s3:::org-trail/AWSLogs/${ORG}/*`,
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trail } },
    },
  );
  const cloudtrail: Caller = { principal: 'cloudtrail.amazonaws.com' };
  const put = (key: string, context: Record<string, string>): AccessRequest => ({
    action: 's3:PutObject',
    resource: `arn:aws:s3:::org-trail/${key}`,
    resourceAccount: CENTRAL,
    context,
  });
  const object = `AWSLogs/${ORG}/${MEMBER}/CloudTrail/${REGION}/2025/01/01/x.json.gz`;
  const acl = { 's3:x-amz-acl': 'bucket-owner-full-control' };

  it('lets the organization trail write its prefix', async () => {
    expectDecision(
      await evaluate(cloudtrail, put(object, { ...acl, 'aws:SourceArn': trail }), bucketPolicy),
      'allow',
    );
  });

  it('lets it check the bucket ACL', async () => {
    const check = {
      action: 's3:GetBucketAcl',
      resource: 'arn:aws:s3:::org-trail',
      resourceAccount: CENTRAL,
      context: { 'aws:SourceArn': trail },
    };
    expectDecision(await evaluate(cloudtrail, check, bucketPolicy), 'allow');
  });

  it('refuses another trail (confused deputy)', async () => {
    const other = `arn:aws:cloudtrail:${REGION}:${OUTSIDER}:trail/org-trail`;
    expectDecision(
      await evaluate(cloudtrail, put(object, { ...acl, 'aws:SourceArn': other }), bucketPolicy),
      'implicit-deny',
    );
  });

  it('refuses a key outside AWSLogs/<org id>/', async () => {
    const key = `AWSLogs/${OUTSIDER}/CloudTrail/x.json.gz`;
    expectDecision(
      await evaluate(cloudtrail, put(key, { ...acl, 'aws:SourceArn': trail }), bucketPolicy),
      'implicit-deny',
    );
  });

  it('refuses a write without the bucket-owner-full-control ACL', async () => {
    expectDecision(
      await evaluate(cloudtrail, put(object, { 'aws:SourceArn': trail }), bucketPolicy),
      'implicit-deny',
    );
  });
});

describe('role trust policy for CloudWatch Logs', () => {
  const roleArn = role(CENTRAL, 'cwl-to-kinesis');
  const trustPolicy = policy({
    Effect: 'Allow',
    Principal: { Service: 'logs.amazonaws.com' },
    Action: 'sts:AssumeRole',
    Condition: {
      StringEquals: { 'aws:SourceAccount': [CENTRAL, MEMBER] },
      ArnLike: {
        'aws:SourceArn': [`arn:aws:logs:${REGION}:${CENTRAL}:*`, `arn:aws:logs:${REGION}:${MEMBER}:*`],
      },
    },
  });
  const assume = (account: string): AccessRequest => ({
    action: 'sts:AssumeRole',
    resource: roleArn,
    resourceAccount: CENTRAL,
    context: {
      'aws:SourceAccount': account,
      'aws:SourceArn': `arn:aws:logs:${REGION}:${account}:destination:central`,
    },
  });

  it('lets the logs service assume it on behalf of a listed account', async () => {
    expectDecision(await evaluate({ principal: 'logs.amazonaws.com' }, assume(MEMBER), trustPolicy), 'allow');
  });

  it('refuses it on behalf of another account', async () => {
    expectDecision(
      await evaluate({ principal: 'logs.amazonaws.com' }, assume(OUTSIDER), trustPolicy),
      'implicit-deny',
    );
  });

  it('refuses another service', async () => {
    expectDecision(
      await evaluate({ principal: 'ec2.amazonaws.com' }, assume(MEMBER), trustPolicy),
      'implicit-deny',
    );
  });

  it('refuses a role of the same account whose identity policy allows sts:AssumeRole (the trust policy decides)', async () => {
    const caller = { principal: role(CENTRAL, 'admin'), identityPolicies: [allow('sts:AssumeRole', '*')] };
    const request = { action: 'sts:AssumeRole', resource: roleArn, resourceAccount: CENTRAL };
    expectDecision(await evaluate(caller, request, trustPolicy), 'implicit-deny');
  });
});

describe('CloudWatch Logs destination policy', () => {
  const destination = `arn:aws:logs:${REGION}:${CENTRAL}:destination:central`;
  const subscribe: AccessRequest = {
    action: 'logs:PutSubscriptionFilter',
    resource: destination,
    resourceAccount: CENTRAL,
  };
  const orgWide = policy({
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: 'logs:PutSubscriptionFilter',
    Resource: destination,
    Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
  });
  const listed = policy({
    Effect: 'Allow',
    Principal: { AWS: [MEMBER] },
    Action: 'logs:PutSubscriptionFilter',
    Resource: destination,
  });

  it('org form: lets a member account (its root) subscribe', async () => {
    expectDecision(await evaluate({ principal: root(MEMBER), orgId: ORG }, subscribe, orgWide), 'allow');
  });

  it("org form: lets a member's role subscribe when its identity policy allows the destination", async () => {
    const caller = {
      principal: role(MEMBER, 'log-shipper'),
      orgId: ORG,
      identityPolicies: [allow('logs:PutSubscriptionFilter', destination)],
    };
    expectDecision(await evaluate(caller, subscribe, orgWide), 'allow');
  });

  it("org form: refuses a member's role without that identity policy", async () => {
    expectDecision(
      await evaluate({ principal: role(MEMBER, 'log-shipper'), orgId: ORG }, subscribe, orgWide),
      'implicit-deny',
    );
  });

  it('org form: refuses an account outside the organization', async () => {
    expectDecision(
      await evaluate({ principal: root(OUTSIDER), orgId: 'o-zzz999' }, subscribe, orgWide),
      'implicit-deny',
    );
  });

  it('account list: lets a listed account subscribe and refuses another', async () => {
    expectDecision(await evaluate({ principal: root(MEMBER) }, subscribe, listed), 'allow');
    expectDecision(await evaluate({ principal: root(OUTSIDER) }, subscribe, listed), 'implicit-deny');
  });
});

describe('KMS key policy', () => {
  const key = `arn:aws:kms:${REGION}:${CENTRAL}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const keyPolicy = policy(
    {
      Sid: 'EnableIamPolicies',
      Effect: 'Allow',
      Principal: { AWS: root(CENTRAL) },
      Action: 'kms:*',
      Resource: '*',
    },
    {
      Sid: 'AllowCloudWatchLogs',
      Effect: 'Allow',
      Principal: { Service: `logs.${REGION}.amazonaws.com` },
      Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      Resource: '*',
      Condition: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${CENTRAL}:log-group:*` },
      },
    },
  );
  const decrypt: AccessRequest = { action: 'kms:Decrypt', resource: key, resourceAccount: CENTRAL };
  const logs: Caller = { principal: `logs.${REGION}.amazonaws.com` };

  it('lets a role of the account whose identity policy allows kms:Decrypt (root delegation)', async () => {
    const caller = { principal: role(CENTRAL, 'reader'), identityPolicies: [allow('kms:Decrypt', key)] };
    expectDecision(await evaluate(caller, decrypt, keyPolicy), 'allow');
  });

  it('refuses a role of the account without an identity policy', async () => {
    expectDecision(
      await evaluate({ principal: role(CENTRAL, 'reader') }, decrypt, keyPolicy),
      'implicit-deny',
    );
  });

  it('refuses a role of another account even with an identity policy (the key trusts only its account)', async () => {
    const caller = {
      principal: role(MEMBER, 'reader'),
      orgId: ORG,
      identityPolicies: [allow('kms:Decrypt', key)],
    };
    expectDecision(await evaluate(caller, decrypt, keyPolicy), 'implicit-deny');
  });

  it('refuses the logs service when no encryption context names a log group', async () => {
    expectDecision(await evaluate(logs, { ...decrypt, action: 'kms:Encrypt' }, keyPolicy), 'implicit-deny');
  });

  // iam-simulate 0.1.173 drops kms:EncryptionContext:<key> from the request context (it only
  // recognises `/`-separated variable keys), so "logs with a matching context → allow" and "with
  // another context → implicit-deny" cannot be decided; the harness must say so rather than guess.
  it('refuses to decide a request carrying kms:EncryptionContext:aws:logs:arn (simulator limitation)', async () => {
    const context = {
      'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${CENTRAL}:log-group:/aws/x`,
    };
    await expect(evaluate(logs, { ...decrypt, action: 'kms:Encrypt', context }, keyPolicy)).rejects.toThrow(
      /ignores context key\(s\) kms:EncryptionContext:aws:logs:arn/,
    );
  });
});

describe('identity policy on a Kinesis stream', () => {
  const stream = `arn:aws:kinesis:${REGION}:${CENTRAL}:stream/logs`;
  const producer: Caller = {
    principal: role(CENTRAL, 'producer'),
    identityPolicies: [allow('kinesis:PutRecord', stream)],
  };
  const request = (action: string, resource = stream): AccessRequest => ({
    action,
    resource,
    resourceAccount: CENTRAL,
  });

  it('allows PutRecord on its stream', async () => {
    expectDecision(await evaluate(producer, request('kinesis:PutRecord')), 'allow');
  });

  it('refuses PutRecord on another stream', async () => {
    expectDecision(
      await evaluate(producer, request('kinesis:PutRecord', `${stream}-other`)),
      'implicit-deny',
    );
  });

  it('refuses DeleteStream', async () => {
    expectDecision(await evaluate(producer, request('kinesis:DeleteStream')), 'implicit-deny');
  });
});

describe('OpenSearch domain access policy', () => {
  const indexer = role(CENTRAL, 'indexer');
  const domain = `arn:aws:es:${REGION}:${CENTRAL}:domain/logs`;
  const accessPolicy = policy({
    Effect: 'Allow',
    Principal: { AWS: indexer },
    Action: 'es:ESHttp*',
    Resource: `${domain}/*`,
  });
  const bulk = (resource = `${domain}/_bulk`): AccessRequest => ({
    action: 'es:ESHttpPost',
    resource,
    resourceAccount: CENTRAL,
  });
  const canPost = [allow('es:ESHttpPost', `${domain}/*`)];

  it('allows the indexer role with its identity policy', async () => {
    expectDecision(
      await evaluate({ principal: indexer, identityPolicies: canPost }, bulk(), accessPolicy),
      'allow',
    );
  });

  it('allows the indexer role on the access policy alone (same account: either policy suffices)', async () => {
    expectDecision(await evaluate({ principal: indexer }, bulk(), accessPolicy), 'allow');
  });

  it('refuses another role of the account without an identity policy', async () => {
    expectDecision(
      await evaluate({ principal: role(CENTRAL, 'other') }, bulk(), accessPolicy),
      'implicit-deny',
    );
  });

  it('refuses the indexer on another domain', async () => {
    const other = `arn:aws:es:${REGION}:${CENTRAL}:domain/other/_bulk`;
    expectDecision(await evaluate({ principal: indexer }, bulk(other), accessPolicy), 'implicit-deny');
  });

  it('lets an explicit Deny in an identity policy win over the allow', async () => {
    const denied = [policy({ Effect: 'Deny', Action: 'es:*', Resource: '*' })];
    expectDecision(
      await evaluate({ principal: indexer, identityPolicies: denied }, bulk(), accessPolicy),
      'deny',
    );
  });
});
