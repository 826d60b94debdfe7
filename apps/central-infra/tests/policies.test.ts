// Who may do what to the central logging account, decided by an IAM evaluator
// (tests/support/iam.ts) on the policies a run of the real program declares (tests/support/
// policies.ts): role trust and inline policies, the key policy, bucket policies, destination access
// policies and the OpenSearch domain policy. Each case names the caller, the request and the
// decision AWS should reach. Accounts and ids are the example stack's
// (stacks/central-infra/Pulumi.prod.yaml, stacks/fleet.yaml); every resource here is in CENTRAL.
import { beforeAll, describe, expect, test } from 'vitest';
import {
  evaluate,
  type AccessRequest,
  type Caller,
  type Decision,
  type EvaluateOptions,
  type PolicyDocument,
  type PolicyStatement,
} from './support/iam.ts';
import { capturePolicies, withoutConditionKeys, type CapturedPolicies } from './support/policies.ts';
import { runProgram } from './support/program.ts';

const CENTRAL = '210987654321';
const MANAGEMENT = '123456789012';
/** workloads-prod: in the organization and in stacks/fleet.yaml. */
const MEMBER = '456789012345';
/** In the organization but not in stacks/fleet.yaml (so not in an explicit account list). */
const UNLISTED_MEMBER = '678901234567';
const OUTSIDER = '999999999999';
const ORG = 'o-a1b2c3d4e5';
const OTHER_ORG = 'o-zzzzzzzzzz';
const HOME = 'eu-west-1';
/** The stack's `regions`: one destination (and destination role) each. */
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1'] as const;
const ORG_TRAIL = `arn:aws:cloudtrail:${HOME}:${MANAGEMENT}:trail/organization-trail`;
/** Same name and region as the organization trail, in an account outside the organization. */
const OTHER_TRAIL = `arn:aws:cloudtrail:${HOME}:${OUTSIDER}:trail/organization-trail`;
const ADMIN_ROLE = `arn:aws:iam::${CENTRAL}:role/platform-admin`;

const BUCKETS = ['archive-bucket', 'cloudtrail-bucket'] as const;
const LAMBDA_ROLES = ['archive-processor-role', 'indexer-fn-role', 'alerts-fn-role'] as const;
const destinationRole = (region: string) => `destinations-${region}-role`;
const ROLES = [
  ...LAMBDA_ROLES,
  'archive-firehose-role',
  'search-master-role',
  ...REGIONS.map(destinationRole),
] as const;

const document = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });
const allowing = (Action: string | string[], Resource: string | string[] = '*'): PolicyDocument =>
  document({ Effect: 'Allow', Action, Resource });
const roleArn = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
const rootOf = (account: string) => `arn:aws:iam::${account}:root`;
/** A request on a resource of the central account. */
const request = (action: string, resource: string, context?: AccessRequest['context']): AccessRequest => ({
  action,
  resource,
  resourceAccount: CENTRAL,
  ...(context ? { context } : {}),
});
/**
 * A KMS request on the key by a principal of `callerAccount`, optionally made through a service.
 * AWS sets kms:CallerAccount from the caller; the harness leaves it to the request.
 */
const onKey = (p: CapturedPolicies, action: string, callerAccount: string, via?: string): AccessRequest =>
  request(action, p.keyArn, {
    'kms:CallerAccount': callerAccount,
    ...(via ? { 'kms:ViaService': `${via}.${HOME}.amazonaws.com` } : {}),
  });
/** `logs.amazonaws.com` assuming a destination role for a log group of `account` in `region`. */
const logsAssume = (
  p: CapturedPolicies,
  roleName: string,
  region: string,
  account: string,
  org: string,
): Question => ({
  caller: { principal: 'logs.amazonaws.com' },
  request: request('sts:AssumeRole', p.role(roleName).arn, {
    'aws:SourceArn': `arn:aws:logs:${region}:${account}:log-group:/app/api:*`,
    'aws:SourceAccount': account,
    'aws:SourceOrgID': org,
  }),
  resourcePolicy: p.role(roleName).trustPolicy,
});
const otherRegion = (region: string) => REGIONS.find((r) => r !== region) ?? HOME;
const archiveKey = `archive/account=${MEMBER}/dataset=cloudwatch/2025/01/01/part-0001.json.gz`;
const trailKey = (prefix: string) =>
  `AWSLogs/${prefix}/CloudTrail/${HOME}/2025/01/01/x_CloudTrail_${HOME}.json.gz`;
const objectOf = (bucketArn: string, key: string) => `${bucketArn}/${key}`;

/** What is asked, of which policy. */
interface Question {
  readonly caller: Caller;
  readonly request: AccessRequest;
  readonly resourcePolicy?: PolicyDocument;
  readonly options?: EvaluateOptions;
}

/** One row of a table: the test is named `<who> → <what> ⇒ <expected>`. */
interface Case {
  readonly who: string;
  readonly what: string;
  readonly expected: Decision;
  readonly ask: (p: CapturedPolicies) => Question;
}

/** Evaluates a case on the captured policies. */
async function decide(c: Case, p: CapturedPolicies) {
  const { caller, request: asked, resourcePolicy, options } = c.ask(p);
  return evaluate(caller, asked, resourcePolicy, options);
}

/** Declares one test per case, evaluated on the policies `captured()` returns once the run is done. */
function declareCases(cases: readonly Case[], captured: () => CapturedPolicies): void {
  for (const c of cases) {
    const name = `${c.who} → ${c.what} ⇒ ${c.expected}`;
    test(name, async () => {
      const result = await decide(c, captured());
      expect(result.decision, result.explain).toBe(c.expected);
    });
  }
}

let policies: CapturedPolicies;
beforeAll(async () => {
  policies = capturePolicies(await runProgram());
});
const captured = () => policies;

describe('what the program declares (every policy below is covered)', () => {
  test('one destination per configured region', () => {
    expect(Object.keys(policies.destinations).sort()).toEqual([...REGIONS].sort());
  });

  test('exactly the buckets whose policies are checked below', () => {
    expect(policies.buckets.map((b) => b.name).sort()).toEqual([...BUCKETS].sort());
  });

  test('exactly the roles whose policies are checked below', () => {
    expect(policies.roles.map((r) => r.name).sort()).toEqual([...ROLES].sort());
  });
});

describe('CloudWatch Logs destination access policies (organization form)', () => {
  const subscribe = (p: CapturedPolicies, region: string, action = 'logs:PutSubscriptionFilter') => ({
    request: request(action, p.destinations[region]?.arn ?? `no destination in ${region}`),
    resourcePolicy: p.destinations[region]?.policy,
  });
  declareCases(
    REGIONS.flatMap((region): Case[] => [
      {
        who: 'member account root',
        what: `logs:PutSubscriptionFilter on the ${region} destination`,
        expected: 'allow',
        ask: (p) => ({ caller: { principal: rootOf(MEMBER), orgId: ORG }, ...subscribe(p, region) }),
      },
      {
        who: 'member role whose identity policy allows the destination',
        what: `logs:PutSubscriptionFilter on the ${region} destination`,
        expected: 'allow',
        ask: (p) => ({
          caller: {
            principal: roleArn(MEMBER, 'log-shipper'),
            orgId: ORG,
            identityPolicies: [allowing('logs:PutSubscriptionFilter', p.destinations[region]?.arn ?? '')],
          },
          ...subscribe(p, region),
        }),
      },
      {
        // Cross-account: the destination policy and the caller's own policy must both allow.
        who: 'member role without an identity policy',
        what: `logs:PutSubscriptionFilter on the ${region} destination`,
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: { principal: roleArn(MEMBER, 'log-shipper'), orgId: ORG },
          ...subscribe(p, region),
        }),
      },
      {
        who: 'root of an account in another organization',
        what: `logs:PutSubscriptionFilter on the ${region} destination`,
        expected: 'implicit-deny',
        ask: (p) => ({ caller: { principal: rootOf(OUTSIDER), orgId: OTHER_ORG }, ...subscribe(p, region) }),
      },
      {
        who: 'root of an account in no organization',
        what: `logs:PutSubscriptionFilter on the ${region} destination`,
        expected: 'implicit-deny',
        ask: (p) => ({ caller: { principal: rootOf(OUTSIDER) }, ...subscribe(p, region) }),
      },
      {
        who: 'member account root',
        what: `logs:DeleteDestination on the ${region} destination`,
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: { principal: rootOf(MEMBER), orgId: ORG },
          ...subscribe(p, region, 'logs:DeleteDestination'),
        }),
      },
    ]),
    captured,
  );
});

describe('CloudWatch Logs destinations with destinationAccess: accounts', () => {
  // stacks/fleet.yaml lists MEMBER; the program adds the central and management accounts.
  let listed: CapturedPolicies;
  beforeAll(async () => {
    listed = capturePolicies(await runProgram({ destinationAccess: 'accounts' }));
  });
  const subscribe = (p: CapturedPolicies, region: string) =>
    request('logs:PutSubscriptionFilter', p.destinations[region]?.arn ?? `no destination in ${region}`);

  declareCases(
    REGIONS.flatMap((region): Case[] => [
      {
        who: 'listed member account root',
        what: `logs:PutSubscriptionFilter on the ${region} destination`,
        expected: 'allow',
        ask: (p) => ({
          caller: { principal: rootOf(MEMBER), orgId: ORG },
          request: subscribe(p, region),
          resourcePolicy: p.destinations[region]?.policy,
        }),
      },
      {
        who: 'root of an organization member missing from the list',
        what: `logs:PutSubscriptionFilter on the ${region} destination`,
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: { principal: rootOf(UNLISTED_MEMBER), orgId: ORG },
          request: subscribe(p, region),
          resourcePolicy: p.destinations[region]?.policy,
        }),
      },
      {
        who: 'logs.amazonaws.com for a listed account',
        what: `sts:AssumeRole on the ${region} destination role`,
        expected: 'allow',
        ask: (p) => logsAssume(p, destinationRole(region), region, MEMBER, ORG),
      },
      {
        // The trust does not list the accounts (it would outgrow IAM's 2,048 characters at about
        // 30): the access policy above already refuses the unlisted account's subscription.
        who: 'logs.amazonaws.com for an organization member missing from the list',
        what: `sts:AssumeRole on the ${region} destination role`,
        expected: 'allow',
        ask: (p) => logsAssume(p, destinationRole(region), region, UNLISTED_MEMBER, ORG),
      },
      {
        who: `logs.amazonaws.com for a listed account in ${otherRegion(region)}`,
        what: `sts:AssumeRole on the ${region} destination role`,
        expected: 'implicit-deny',
        ask: (p) => logsAssume(p, destinationRole(region), otherRegion(region), MEMBER, ORG),
      },
    ]),
    () => listed,
  );
});

describe('destination role trust policies', () => {
  declareCases(
    REGIONS.flatMap((region): Case[] => [
      {
        // aws:SourceOrgID is one of the keys CloudWatch Logs documents for confused-deputy
        // protection (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions-confused-deputy.html).
        who: `logs.amazonaws.com for a member log group in ${region}`,
        what: `sts:AssumeRole on the ${region} destination role`,
        expected: 'allow',
        ask: (p) => logsAssume(p, destinationRole(region), region, MEMBER, ORG),
      },
      {
        // PutDestination makes CloudWatch Logs send a test record on the central account's behalf.
        who: `logs.amazonaws.com for the central account's test record in ${region}`,
        what: `sts:AssumeRole on the ${region} destination role`,
        expected: 'allow',
        ask: (p) => ({
          caller: { principal: 'logs.amazonaws.com' },
          request: request('sts:AssumeRole', p.role(destinationRole(region)).arn, {
            'aws:SourceArn': p.destinations[region]?.arn ?? '',
            'aws:SourceAccount': CENTRAL,
            'aws:SourceOrgID': ORG,
          }),
          resourcePolicy: p.role(destinationRole(region)).trustPolicy,
        }),
      },
      {
        who: `logs.amazonaws.com for a member log group in ${otherRegion(region)}`,
        what: `sts:AssumeRole on the ${region} destination role`,
        expected: 'implicit-deny',
        ask: (p) => logsAssume(p, destinationRole(region), otherRegion(region), MEMBER, ORG),
      },
      {
        who: `logs.amazonaws.com for a log group of another organization in ${region}`,
        what: `sts:AssumeRole on the ${region} destination role`,
        expected: 'implicit-deny',
        ask: (p) => logsAssume(p, destinationRole(region), region, OUTSIDER, OTHER_ORG),
      },
      {
        who: 'lambda.amazonaws.com',
        what: `sts:AssumeRole on the ${region} destination role`,
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: { principal: 'lambda.amazonaws.com' },
          request: request('sts:AssumeRole', p.role(destinationRole(region)).arn, {
            'aws:SourceAccount': CENTRAL,
            'aws:SourceOrgID': ORG,
          }),
          resourcePolicy: p.role(destinationRole(region)).trustPolicy,
        }),
      },
    ]),
    captured,
  );
});

describe('destination role permissions', () => {
  const as = (p: CapturedPolicies, region: string) => p.sessionOf(destinationRole(region));
  declareCases(
    REGIONS.flatMap((region): Case[] => [
      {
        who: `${region} destination role`,
        what: 'kinesis:PutRecord on the log stream',
        expected: 'allow',
        ask: (p) => ({ caller: as(p, region), request: request('kinesis:PutRecord', p.streamArn) }),
      },
      {
        who: `${region} destination role`,
        what: 'kinesis:PutRecords on the log stream',
        expected: 'allow',
        ask: (p) => ({ caller: as(p, region), request: request('kinesis:PutRecords', p.streamArn) }),
      },
      {
        who: `${region} destination role`,
        what: 'kinesis:PutRecord on another stream',
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: as(p, region),
          request: request('kinesis:PutRecord', `arn:aws:kinesis:${HOME}:${CENTRAL}:stream/other-stream`),
        }),
      },
      {
        who: `${region} destination role`,
        what: 'kinesis:GetRecords on the log stream',
        expected: 'implicit-deny',
        ask: (p) => ({ caller: as(p, region), request: request('kinesis:GetRecords', p.streamArn) }),
      },
      {
        // The stream is in the home region whichever region the destination is in.
        who: `${region} destination role`,
        what: `kms:GenerateDataKey on the key through kinesis.${HOME}`,
        expected: 'allow',
        ask: (p) => ({
          caller: as(p, region),
          request: onKey(p, 'kms:GenerateDataKey', CENTRAL, 'kinesis'),
          resourcePolicy: p.keyPolicy,
        }),
      },
    ]),
    captured,
  );
});

describe('CloudTrail bucket policy', () => {
  const cloudtrail: Caller = { principal: 'cloudtrail.amazonaws.com' };
  const acl = { 's3:x-amz-acl': 'bucket-owner-full-control' };
  const put = (p: CapturedPolicies, key: string, context: Record<string, string>): Question => ({
    caller: cloudtrail,
    request: request('s3:PutObject', objectOf(p.bucket('cloudtrail-bucket').arn, key), context),
    resourcePolicy: p.bucket('cloudtrail-bucket').policy,
  });
  const aclCheck = (p: CapturedPolicies, trail: string): Question => ({
    caller: cloudtrail,
    request: request('s3:GetBucketAcl', p.bucket('cloudtrail-bucket').arn, { 'aws:SourceArn': trail }),
    resourcePolicy: p.bucket('cloudtrail-bucket').policy,
  });

  declareCases(
    [
      {
        who: 'cloudtrail.amazonaws.com for the organization trail',
        what: `s3:PutObject under AWSLogs/${ORG}/<member>/ with bucket-owner-full-control`,
        expected: 'allow',
        ask: (p) => put(p, trailKey(`${ORG}/${MEMBER}`), { ...acl, 'aws:SourceArn': ORG_TRAIL }),
      },
      {
        who: 'cloudtrail.amazonaws.com for the organization trail',
        what: `s3:PutObject under AWSLogs/${MANAGEMENT}/ (the management account's own events)`,
        expected: 'allow',
        ask: (p) => put(p, trailKey(MANAGEMENT), { ...acl, 'aws:SourceArn': ORG_TRAIL }),
      },
      {
        who: 'cloudtrail.amazonaws.com for the organization trail, with Block Public Access as configured',
        what: `s3:PutObject under AWSLogs/${ORG}/<member>/`,
        expected: 'allow',
        ask: (p) => ({
          ...put(p, trailKey(`${ORG}/${MEMBER}`), { ...acl, 'aws:SourceArn': ORG_TRAIL }),
          options: { s3BlockPublicAccess: p.bucket('cloudtrail-bucket').restrictPublicBuckets },
        }),
      },
      {
        who: 'cloudtrail.amazonaws.com for a trail of another account',
        what: `s3:PutObject under AWSLogs/${ORG}/<member>/`,
        expected: 'implicit-deny',
        ask: (p) => put(p, trailKey(`${ORG}/${MEMBER}`), { ...acl, 'aws:SourceArn': OTHER_TRAIL }),
      },
      {
        who: 'cloudtrail.amazonaws.com for the organization trail',
        what: `s3:PutObject under AWSLogs/${OUTSIDER}/`,
        expected: 'implicit-deny',
        ask: (p) => put(p, trailKey(OUTSIDER), { ...acl, 'aws:SourceArn': ORG_TRAIL }),
      },
      {
        who: 'cloudtrail.amazonaws.com for the organization trail',
        what: `s3:PutObject under AWSLogs/${ORG}/<member>/ without the bucket-owner-full-control ACL`,
        expected: 'implicit-deny',
        ask: (p) => put(p, trailKey(`${ORG}/${MEMBER}`), { 'aws:SourceArn': ORG_TRAIL }),
      },
      {
        who: 'cloudtrail.amazonaws.com for the organization trail, over plain HTTP',
        what: `s3:PutObject under AWSLogs/${ORG}/<member>/ with bucket-owner-full-control`,
        expected: 'deny',
        ask: (p) =>
          put(p, trailKey(`${ORG}/${MEMBER}`), {
            ...acl,
            'aws:SourceArn': ORG_TRAIL,
            'aws:SecureTransport': 'false',
          }),
      },
      {
        who: 'cloudtrail.amazonaws.com for the organization trail',
        what: 's3:GetBucketAcl on the bucket',
        expected: 'allow',
        ask: (p) => aclCheck(p, ORG_TRAIL),
      },
      {
        who: 'cloudtrail.amazonaws.com for a trail of another account',
        what: 's3:GetBucketAcl on the bucket',
        expected: 'implicit-deny',
        ask: (p) => aclCheck(p, OTHER_TRAIL),
      },
      {
        who: 'member account root',
        what: `s3:PutObject under AWSLogs/${ORG}/<member>/`,
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: { principal: rootOf(MEMBER), orgId: ORG },
          request: request(
            's3:PutObject',
            objectOf(p.bucket('cloudtrail-bucket').arn, trailKey(`${ORG}/${MEMBER}`)),
            acl,
          ),
          resourcePolicy: p.bucket('cloudtrail-bucket').policy,
        }),
      },
    ],
    captured,
  );
});

describe('bucket policies: who may read the logs', () => {
  // Evaluated without S3 Block Public Access, so that the bucket policy alone must refuse them.
  const anyS3 = [allowing('s3:*')];
  const read = (
    p: CapturedPolicies,
    bucket: string,
    caller: Caller,
    action: 's3:GetObject' | 's3:ListBucket',
  ) => {
    const { arn, policy } = p.bucket(bucket);
    const resource = action === 's3:ListBucket' ? arn : objectOf(arn, 'AWSLogs/some/object.json.gz');
    return { caller, request: request(action, resource), resourcePolicy: policy };
  };
  declareCases(
    BUCKETS.flatMap((bucket) =>
      (['s3:GetObject', 's3:ListBucket'] as const).flatMap((action): Case[] => [
        {
          who: 'anonymous caller',
          what: `${action} on ${bucket}`,
          expected: 'deny',
          ask: (p) => read(p, bucket, { principal: 'anonymous' }, action),
        },
        {
          who: 'role of another organization with an s3:* identity policy',
          what: `${action} on ${bucket}`,
          expected: 'deny',
          ask: (p) =>
            read(
              p,
              bucket,
              { principal: roleArn(OUTSIDER, 'reader'), orgId: OTHER_ORG, identityPolicies: anyS3 },
              action,
            ),
        },
        {
          who: 'role of an account in no organization with an s3:* identity policy',
          what: `${action} on ${bucket}`,
          expected: 'deny',
          ask: (p) =>
            read(p, bucket, { principal: roleArn(OUTSIDER, 'reader'), identityPolicies: anyS3 }, action),
        },
        {
          who: 'member-account role with an s3:* identity policy',
          what: `${action} on ${bucket}`,
          expected: 'deny',
          ask: (p) =>
            read(
              p,
              bucket,
              { principal: roleArn(MEMBER, 'reader'), orgId: ORG, identityPolicies: anyS3 },
              action,
            ),
        },
        {
          who: 'member account root',
          what: `${action} on ${bucket}`,
          expected: 'deny',
          ask: (p) => read(p, bucket, { principal: rootOf(MEMBER), orgId: ORG }, action),
        },
        {
          who: 'central-account role without an identity policy',
          what: `${action} on ${bucket}`,
          expected: 'implicit-deny',
          ask: (p) => read(p, bucket, { principal: roleArn(CENTRAL, 'analyst'), orgId: ORG }, action),
        },
        {
          // The bucket policies only take away: reading is granted by IAM in the central account.
          who: `central-account role whose identity policy allows ${action}`,
          what: `${action} on ${bucket}`,
          expected: 'allow',
          ask: (p) =>
            read(
              p,
              bucket,
              {
                principal: roleArn(CENTRAL, 'analyst'),
                orgId: ORG,
                identityPolicies: [allowing(action, [p.bucket(bucket).arn, `${p.bucket(bucket).arn}/*`])],
              },
              action,
            ),
        },
      ]),
    ),
    captured,
  );
});

describe('Firehose role (archive-firehose-role)', () => {
  const firehose = (p: CapturedPolicies) => p.sessionOf('archive-firehose-role');
  const putInto = (p: CapturedPolicies, bucket: string): Question => ({
    caller: firehose(p),
    request: request('s3:PutObject', objectOf(p.bucket(bucket).arn, archiveKey)),
    resourcePolicy: p.bucket(bucket).policy,
  });
  declareCases(
    [
      {
        who: 'Firehose role',
        what: 's3:PutObject into the archive bucket',
        expected: 'allow',
        ask: (p) => putInto(p, 'archive-bucket'),
      },
      {
        who: 'Firehose role',
        what: 's3:PutObject into the CloudTrail bucket',
        expected: 'implicit-deny',
        ask: (p) => putInto(p, 'cloudtrail-bucket'),
      },
      {
        who: 'Firehose role',
        what: 's3:PutObject into a bucket outside the program',
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: firehose(p),
          request: request('s3:PutObject', `arn:aws:s3:::some-other-bucket/${archiveKey}`),
        }),
      },
      {
        who: 'Firehose role',
        what: 's3:GetObject on the archive bucket',
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: firehose(p),
          request: request('s3:GetObject', objectOf(p.bucket('archive-bucket').arn, archiveKey)),
          resourcePolicy: p.bucket('archive-bucket').policy,
        }),
      },
      {
        who: 'Firehose role',
        what: 'kinesis:GetRecords on the log stream',
        expected: 'allow',
        ask: (p) => ({ caller: firehose(p), request: request('kinesis:GetRecords', p.streamArn) }),
      },
      {
        who: 'Firehose role',
        what: 'kinesis:PutRecord on the log stream',
        expected: 'implicit-deny',
        ask: (p) => ({ caller: firehose(p), request: request('kinesis:PutRecord', p.streamArn) }),
      },
      {
        who: 'Firehose role',
        what: 'lambda:InvokeFunction on the processor ($LATEST)',
        expected: 'allow',
        ask: (p) => ({
          caller: firehose(p),
          request: request('lambda:InvokeFunction', `${p.arnOf('archive-processor-function')}:$LATEST`),
        }),
      },
      {
        who: 'Firehose role',
        what: 'lambda:InvokeFunction on the indexer function',
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: firehose(p),
          request: request('lambda:InvokeFunction', p.arnOf('indexer-fn-function')),
        }),
      },
      {
        who: 'Firehose role',
        what: `kms:Decrypt on the key through kinesis.${HOME} (reading the stream)`,
        expected: 'allow',
        ask: (p) => ({
          caller: firehose(p),
          request: onKey(p, 'kms:Decrypt', CENTRAL, 'kinesis'),
          resourcePolicy: p.keyPolicy,
        }),
      },
    ],
    captured,
  );
});

describe('indexer role (indexer-fn-role)', () => {
  const indexer = (p: CapturedPolicies) => p.sessionOf('indexer-fn-role');
  const deadLetter = (p: CapturedPolicies, key: string): Question => ({
    caller: indexer(p),
    request: request('s3:PutObject', objectOf(p.bucket('archive-bucket').arn, key)),
    resourcePolicy: p.bucket('archive-bucket').policy,
  });
  declareCases(
    [
      {
        who: 'indexer role',
        what: 'es:ESHttpPost on its domain (_bulk)',
        expected: 'allow',
        ask: (p) => ({
          caller: indexer(p),
          request: request('es:ESHttpPost', `${p.domainArn}/_bulk`),
          resourcePolicy: p.domainPolicy,
        }),
      },
      {
        // No access policy of that domain is known: the indexer's own policy must not reach it.
        who: 'indexer role',
        what: 'es:ESHttpPost on another domain (_bulk)',
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: indexer(p),
          request: request('es:ESHttpPost', `arn:aws:es:${HOME}:${CENTRAL}:domain/other-domain/_bulk`),
        }),
      },
      {
        // Neither the indexer's own policy nor the domain policy allows it more than POST and PUT.
        who: 'indexer role',
        what: 'es:ESHttpDelete on its domain (an index)',
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: indexer(p),
          request: request('es:ESHttpDelete', `${p.domainArn}/logs-2025.01.01`),
          resourcePolicy: p.domainPolicy,
        }),
      },
      {
        who: 'indexer role',
        what: 's3:PutObject under dead-letter/indexer/ of the archive bucket',
        expected: 'allow',
        ask: (p) => deadLetter(p, 'dead-letter/indexer/2025/01/01/batch-0001.json'),
      },
      {
        who: 'indexer role',
        what: 's3:PutObject under archive/ of the archive bucket',
        expected: 'implicit-deny',
        ask: (p) => deadLetter(p, archiveKey),
      },
      {
        who: 'indexer role',
        what: 's3:PutObject under dead-letter/alerts/ of the archive bucket',
        expected: 'implicit-deny',
        ask: (p) => deadLetter(p, 'dead-letter/alerts/2025/01/01/batch-0001.json'),
      },
      {
        who: 'indexer role',
        what: 's3:GetObject on its own dead letter in the archive bucket',
        expected: 'implicit-deny',
        ask: (p) => ({
          ...deadLetter(p, 'dead-letter/indexer/2025/01/01/batch-0001.json'),
          request: request(
            's3:GetObject',
            objectOf(p.bucket('archive-bucket').arn, 'dead-letter/indexer/2025/01/01/batch-0001.json'),
          ),
        }),
      },
      {
        who: 'indexer role',
        what: 'kinesis:GetRecords on the log stream',
        expected: 'allow',
        ask: (p) => ({ caller: indexer(p), request: request('kinesis:GetRecords', p.streamArn) }),
      },
      {
        who: 'indexer role',
        what: 'sqs:SendMessage on its on-failure queue',
        expected: 'allow',
        ask: (p) => ({
          caller: indexer(p),
          request: request('sqs:SendMessage', p.arnOf('indexer-on-failure')),
        }),
      },
      {
        who: 'indexer role',
        what: "sqs:SendMessage on the alerts' on-failure queue",
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: indexer(p),
          request: request('sqs:SendMessage', p.arnOf('alerts-on-failure')),
        }),
      },
    ],
    captured,
  );
});

describe('OpenSearch domain access policy', () => {
  const onDomain = (
    p: CapturedPolicies,
    caller: Caller,
    action = 'es:ESHttpPost',
    path = '_bulk',
  ): Question => ({
    caller,
    request: request(action, `${p.domainArn}/${path}`),
    resourcePolicy: p.domainPolicy,
  });
  const anyEs = [allowing('es:*')];
  declareCases(
    [
      {
        who: 'indexer role with its own policy',
        what: 'es:ESHttpPost on the domain (_bulk)',
        expected: 'allow',
        ask: (p) => onDomain(p, p.sessionOf('indexer-fn-role')),
      },
      {
        who: 'indexer role on the domain policy alone (no identity policy)',
        what: 'es:ESHttpPost on the domain (_bulk)',
        expected: 'allow',
        ask: (p) => onDomain(p, { principal: p.role('indexer-fn-role').arn, orgId: ORG }),
      },
      {
        who: 'master role with its own policy',
        what: 'es:ESHttpPut on the domain (a role mapping)',
        expected: 'allow',
        ask: (p) =>
          onDomain(
            p,
            p.sessionOf('search-master-role'),
            'es:ESHttpPut',
            '_plugins/_security/api/rolesmapping/all_access',
          ),
      },
      {
        who: 'configured admin role platform-admin (no identity policy)',
        what: 'es:ESHttpGet on the domain (a search)',
        expected: 'allow',
        ask: (p) =>
          onDomain(p, { principal: ADMIN_ROLE, orgId: ORG }, 'es:ESHttpGet', 'logs-2025.01.01/_search'),
      },
      {
        // OpenSearch follows IAM's same-account logic: an identity policy allowing es:ESHttp* is
        // enough even when the domain policy does not name the role
        // (https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ac.html,
        // "identity-based policies"). Fine-grained access control then maps the role inside the
        // domain: an unmapped role gets no index permissions.
        who: 'another central-account role with an es:* identity policy',
        what: 'es:ESHttpPost on the domain (_bulk)',
        expected: 'allow',
        ask: (p) =>
          onDomain(p, { principal: roleArn(CENTRAL, 'data-scientist'), orgId: ORG, identityPolicies: anyEs }),
      },
      {
        who: 'another central-account role without an identity policy',
        what: 'es:ESHttpPost on the domain (_bulk)',
        expected: 'implicit-deny',
        ask: (p) => onDomain(p, { principal: roleArn(CENTRAL, 'data-scientist'), orgId: ORG }),
      },
      {
        who: 'anonymous caller',
        what: 'es:ESHttpGet on the domain (a search)',
        expected: 'implicit-deny',
        ask: (p) => onDomain(p, { principal: 'anonymous' }, 'es:ESHttpGet', 'logs-2025.01.01/_search'),
      },
      {
        who: 'member-account role with an es:* identity policy',
        what: 'es:ESHttpGet on the domain (a search)',
        expected: 'implicit-deny',
        ask: (p) =>
          onDomain(
            p,
            { principal: roleArn(MEMBER, 'analyst'), orgId: ORG, identityPolicies: anyEs },
            'es:ESHttpGet',
            'logs-2025.01.01/_search',
          ),
      },
    ],
    captured,
  );
});

describe('OpenSearch master role trust policy', () => {
  const assume = (p: CapturedPolicies, caller: Caller): Question => ({
    caller,
    request: request('sts:AssumeRole', p.role('search-master-role').arn),
    resourcePolicy: p.role('search-master-role').trustPolicy,
  });
  declareCases(
    [
      {
        who: 'configured admin role platform-admin',
        what: 'sts:AssumeRole on the master role',
        expected: 'allow',
        ask: (p) => assume(p, { principal: ADMIN_ROLE, orgId: ORG }),
      },
      {
        who: 'another central-account role whose identity policy allows sts:AssumeRole',
        what: 'sts:AssumeRole on the master role',
        expected: 'implicit-deny',
        ask: (p) =>
          assume(p, {
            principal: roleArn(CENTRAL, 'data-scientist'),
            orgId: ORG,
            identityPolicies: [allowing('sts:AssumeRole')],
          }),
      },
      {
        who: 'member account root',
        what: 'sts:AssumeRole on the master role',
        expected: 'implicit-deny',
        ask: (p) => assume(p, { principal: rootOf(MEMBER), orgId: ORG }),
      },
    ],
    captured,
  );
});

describe('KMS key policy', () => {
  const reader = (p: CapturedPolicies, ...actions: string[]): Caller => ({
    principal: roleArn(CENTRAL, 'log-reader'),
    orgId: ORG,
    identityPolicies: [allowing(actions, p.keyArn)],
  });
  // iam-simulate cannot evaluate kms:EncryptionContext:<key> (tests/support/iam.ts), so the trail
  // cases are evaluated on the key policy without that one condition, and the condition itself is
  // checked separately below: neither half is skipped.
  const withoutTrailContext = (p: CapturedPolicies) =>
    withoutConditionKeys(p.keyPolicy, /^kms:EncryptionContext:aws:cloudtrail:arn$/i);
  const trail = (p: CapturedPolicies, action: string, sourceArn: string): Question => ({
    caller: { principal: 'cloudtrail.amazonaws.com' },
    request: request(action, p.keyArn, { 'aws:SourceArn': sourceArn }),
    resourcePolicy: withoutTrailContext(p).policy,
  });
  const alarms = (p: CapturedPolicies, action: string, sourceAccount: string): Question => ({
    caller: { principal: 'cloudwatch.amazonaws.com' },
    request: request(action, p.keyArn, { 'aws:SourceAccount': sourceAccount }),
    resourcePolicy: p.keyPolicy,
  });

  test('the organization trail statement also pins the encryption context to that trail', () => {
    const removed = withoutTrailContext(policies).removed;
    expect(removed).toEqual([
      {
        sid: 'OrganizationTrailEncrypts',
        operator: 'StringLike',
        key: 'kms:EncryptionContext:aws:cloudtrail:arn',
        values: ORG_TRAIL,
      },
    ]);
  });

  declareCases(
    [
      {
        who: 'central-account role whose identity policy allows kms:Decrypt',
        what: `kms:Decrypt through s3.${HOME}`,
        expected: 'allow',
        ask: (p) => ({
          caller: reader(p, 'kms:Decrypt'),
          request: onKey(p, 'kms:Decrypt', CENTRAL, 's3'),
          resourcePolicy: p.keyPolicy,
        }),
      },
      {
        who: 'central-account role whose identity policy allows kms:Decrypt',
        what: 'kms:Decrypt called directly (no kms:ViaService)',
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: reader(p, 'kms:Decrypt'),
          request: onKey(p, 'kms:Decrypt', CENTRAL),
          resourcePolicy: p.keyPolicy,
        }),
      },
      {
        who: 'central-account role whose identity policy allows kms:Decrypt',
        what: `kms:Decrypt through a service outside the pipeline (ec2.${HOME})`,
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: reader(p, 'kms:Decrypt'),
          request: onKey(p, 'kms:Decrypt', CENTRAL, 'ec2'),
          resourcePolicy: p.keyPolicy,
        }),
      },
      {
        // The key policy delegates to IAM: without an identity policy a role of the account gets nothing.
        who: 'central-account role without an identity policy',
        what: `kms:Decrypt through s3.${HOME}`,
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: { principal: roleArn(CENTRAL, 'log-reader'), orgId: ORG },
          request: onKey(p, 'kms:Decrypt', CENTRAL, 's3'),
          resourcePolicy: p.keyPolicy,
        }),
      },
      {
        who: 'member account root',
        what: `kms:Decrypt through s3.${HOME}`,
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: { principal: rootOf(MEMBER), orgId: ORG },
          request: onKey(p, 'kms:Decrypt', MEMBER, 's3'),
          resourcePolicy: p.keyPolicy,
        }),
      },
      {
        who: 'member-account role whose identity policy allows kms:Decrypt on the key',
        what: `kms:Decrypt through s3.${HOME}`,
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: { ...reader(p, 'kms:Decrypt'), principal: roleArn(MEMBER, 'log-reader') },
          request: onKey(p, 'kms:Decrypt', MEMBER, 's3'),
          resourcePolicy: p.keyPolicy,
        }),
      },
      {
        who: 'cloudtrail.amazonaws.com for the organization trail (encryption-context condition checked apart)',
        what: 'kms:GenerateDataKey on the key',
        expected: 'allow',
        ask: (p) => trail(p, 'kms:GenerateDataKey', ORG_TRAIL),
      },
      {
        who: 'cloudtrail.amazonaws.com for a trail of another account (encryption-context condition checked apart)',
        what: 'kms:GenerateDataKey on the key',
        expected: 'implicit-deny',
        ask: (p) => trail(p, 'kms:GenerateDataKey', OTHER_TRAIL),
      },
      {
        who: 'cloudtrail.amazonaws.com for the organization trail',
        what: 'kms:DescribeKey on the key',
        expected: 'allow',
        ask: (p) => ({ ...trail(p, 'kms:DescribeKey', ORG_TRAIL), resourcePolicy: p.keyPolicy }),
      },
      {
        who: 'cloudtrail.amazonaws.com for a trail of another account',
        what: 'kms:DescribeKey on the key',
        expected: 'implicit-deny',
        ask: (p) => ({ ...trail(p, 'kms:DescribeKey', OTHER_TRAIL), resourcePolicy: p.keyPolicy }),
      },
      {
        who: 'cloudwatch.amazonaws.com (alarms) for the central account',
        what: 'kms:Decrypt on the key',
        expected: 'allow',
        ask: (p) => alarms(p, 'kms:Decrypt', CENTRAL),
      },
      {
        who: 'cloudwatch.amazonaws.com (alarms) for the central account',
        what: 'kms:GenerateDataKey on the key',
        expected: 'allow',
        ask: (p) => alarms(p, 'kms:GenerateDataKey', CENTRAL),
      },
      {
        who: 'cloudwatch.amazonaws.com (alarms) for another account',
        what: 'kms:Decrypt on the key',
        expected: 'implicit-deny',
        ask: (p) => alarms(p, 'kms:Decrypt', MEMBER),
      },
      {
        who: 'central-account role whose identity policy allows kms:ScheduleKeyDeletion',
        what: 'kms:ScheduleKeyDeletion on the key',
        expected: 'allow',
        ask: (p) => ({
          caller: reader(p, 'kms:ScheduleKeyDeletion'),
          request: onKey(p, 'kms:ScheduleKeyDeletion', CENTRAL),
          resourcePolicy: p.keyPolicy,
        }),
      },
      {
        who: 'central-account role without an identity policy',
        what: 'kms:ScheduleKeyDeletion on the key',
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: { principal: roleArn(CENTRAL, 'log-reader'), orgId: ORG },
          request: onKey(p, 'kms:ScheduleKeyDeletion', CENTRAL),
          resourcePolicy: p.keyPolicy,
        }),
      },
      {
        who: 'member account root',
        what: 'kms:ScheduleKeyDeletion on the key',
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: { principal: rootOf(MEMBER), orgId: ORG },
          request: onKey(p, 'kms:ScheduleKeyDeletion', MEMBER),
          resourcePolicy: p.keyPolicy,
        }),
      },
      {
        who: 'central-account role whose identity policy allows kms:CreateGrant',
        what: `kms:CreateGrant through es.${HOME} for an AWS resource (a domain's grant)`,
        expected: 'allow',
        ask: (p) => ({
          caller: reader(p, 'kms:CreateGrant'),
          request: request('kms:CreateGrant', p.keyArn, {
            'kms:CallerAccount': CENTRAL,
            'kms:ViaService': `es.${HOME}.amazonaws.com`,
            'kms:GrantIsForAWSResource': 'true',
          }),
          resourcePolicy: p.keyPolicy,
        }),
      },
      {
        who: 'central-account role whose identity policy allows kms:CreateGrant',
        what: 'kms:CreateGrant called directly, for itself (not for an AWS resource)',
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: reader(p, 'kms:CreateGrant'),
          request: request('kms:CreateGrant', p.keyArn, {
            'kms:CallerAccount': CENTRAL,
            'kms:GrantIsForAWSResource': 'false',
          }),
          resourcePolicy: p.keyPolicy,
        }),
      },
    ],
    captured,
  );
});

describe('alerts role (alerts-fn-role)', () => {
  const alerts = (p: CapturedPolicies) => p.sessionOf('alerts-fn-role');
  const ask =
    (action: string, resource: (p: CapturedPolicies) => string) =>
    (p: CapturedPolicies): Question => ({ caller: alerts(p), request: request(action, resource(p)) });
  declareCases(
    [
      {
        who: 'alerts role',
        what: 'dynamodb:UpdateItem on its table',
        expected: 'allow',
        ask: ask('dynamodb:UpdateItem', (p) => p.arnOf('alerts-state')),
      },
      {
        who: 'alerts role',
        what: 'dynamodb:Query on its pending index',
        expected: 'allow',
        ask: ask('dynamodb:Query', (p) => `${p.arnOf('alerts-state')}/index/pending`),
      },
      {
        who: 'alerts role',
        what: 'dynamodb:DeleteTable on its table',
        expected: 'implicit-deny',
        ask: ask('dynamodb:DeleteTable', (p) => p.arnOf('alerts-state')),
      },
      {
        who: 'alerts role',
        what: 'sns:Publish to the alerts topic',
        expected: 'allow',
        ask: ask('sns:Publish', (p) => p.arnOf('alerts-topic')),
      },
      {
        who: 'alerts role',
        what: 'sns:Publish to the pipeline alarms topic',
        expected: 'implicit-deny',
        ask: ask('sns:Publish', (p) => p.arnOf('pipeline-alarms-topic')),
      },
      {
        who: 'alerts role',
        what: 'secretsmanager:GetSecretValue on the Slack webhook secret',
        expected: 'allow',
        ask: ask('secretsmanager:GetSecretValue', (p) => p.arnOf('alerts-slack-webhook')),
      },
      {
        who: 'alerts role',
        what: 's3:GetObject on the archive bucket',
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: alerts(p),
          request: request('s3:GetObject', objectOf(p.bucket('archive-bucket').arn, archiveKey)),
          resourcePolicy: p.bucket('archive-bucket').policy,
        }),
      },
      {
        who: 'alerts role',
        what: `kms:Decrypt on the key through secretsmanager.${HOME} (the webhook)`,
        expected: 'allow',
        ask: (p) => ({
          caller: alerts(p),
          request: onKey(p, 'kms:Decrypt', CENTRAL, 'secretsmanager'),
          resourcePolicy: p.keyPolicy,
        }),
      },
      {
        who: 'alerts role',
        what: `kms:Decrypt on the key through s3.${HOME} (archive objects)`,
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: alerts(p),
          request: onKey(p, 'kms:Decrypt', CENTRAL, 's3'),
          resourcePolicy: p.keyPolicy,
        }),
      },
    ],
    captured,
  );
});

describe('firehose processor role (archive-processor-role)', () => {
  const processor = (p: CapturedPolicies) => p.sessionOf('archive-processor-role');
  const logStream = (logGroupArn: string) => `${logGroupArn}:log-stream:2025/01/01/[$LATEST]0123456789abcdef`;
  declareCases(
    [
      {
        who: 'processor role',
        what: 'logs:PutLogEvents into its own log group',
        expected: 'allow',
        ask: (p) => ({
          caller: processor(p),
          request: request('logs:PutLogEvents', logStream(p.arnOf('archive-processor-logs'))),
        }),
      },
      {
        who: 'processor role',
        what: "logs:PutLogEvents into the indexer's log group",
        expected: 'implicit-deny',
        ask: (p) => ({
          caller: processor(p),
          request: request('logs:PutLogEvents', logStream(p.arnOf('indexer-fn-logs'))),
        }),
      },
      {
        who: 'processor role',
        what: 'kinesis:GetRecords on the log stream',
        expected: 'implicit-deny',
        ask: (p) => ({ caller: processor(p), request: request('kinesis:GetRecords', p.streamArn) }),
      },
    ],
    captured,
  );
});

describe('service role trust policies (Lambda functions and Firehose)', () => {
  const assume = (
    p: CapturedPolicies,
    roleName: string,
    principal: string,
    sourceAccount?: string,
  ): Question => ({
    caller: { principal },
    request: request(
      'sts:AssumeRole',
      p.role(roleName).arn,
      sourceAccount ? { 'aws:SourceAccount': sourceAccount } : undefined,
    ),
    resourcePolicy: p.role(roleName).trustPolicy,
  });
  const assumeWithExternalId = (
    p: CapturedPolicies,
    roleName: string,
    principal: string,
    externalId: string,
  ): Question => ({
    caller: { principal },
    request: request('sts:AssumeRole', p.role(roleName).arn, { 'sts:ExternalId': externalId }),
    resourcePolicy: p.role(roleName).trustPolicy,
  });
  declareCases(
    [
      ...LAMBDA_ROLES.flatMap((roleName): Case[] => [
        {
          who: 'lambda.amazonaws.com for the central account',
          what: `sts:AssumeRole on ${roleName}`,
          expected: 'allow',
          ask: (p) => assume(p, roleName, 'lambda.amazonaws.com', CENTRAL),
        },
        {
          who: 'lambda.amazonaws.com for another account',
          what: `sts:AssumeRole on ${roleName}`,
          expected: 'implicit-deny',
          ask: (p) => assume(p, roleName, 'lambda.amazonaws.com', OUTSIDER),
        },
        {
          who: 'lambda.amazonaws.com without a source account',
          what: `sts:AssumeRole on ${roleName}`,
          expected: 'implicit-deny',
          ask: (p) => assume(p, roleName, 'lambda.amazonaws.com'),
        },
        {
          who: 'firehose.amazonaws.com for the central account',
          what: `sts:AssumeRole on ${roleName}`,
          expected: 'implicit-deny',
          ask: (p) => assume(p, roleName, 'firehose.amazonaws.com', CENTRAL),
        },
        {
          who: 'central-account role whose identity policy allows sts:AssumeRole',
          what: `sts:AssumeRole on ${roleName}`,
          expected: 'implicit-deny',
          ask: (p) => ({
            caller: {
              principal: roleArn(CENTRAL, 'developer'),
              orgId: ORG,
              identityPolicies: [allowing('sts:AssumeRole')],
            },
            request: request('sts:AssumeRole', p.role(roleName).arn),
            resourcePolicy: p.role(roleName).trustPolicy,
          }),
        },
      ]),
      {
        // Firehose passes the account id as sts:ExternalId when it assumes a delivery stream's role.
        who: 'firehose.amazonaws.com for the central account',
        what: 'sts:AssumeRole on archive-firehose-role',
        expected: 'allow',
        ask: (p) => assumeWithExternalId(p, 'archive-firehose-role', 'firehose.amazonaws.com', CENTRAL),
      },
      {
        who: 'firehose.amazonaws.com for another account',
        what: 'sts:AssumeRole on archive-firehose-role',
        expected: 'implicit-deny',
        ask: (p) => assumeWithExternalId(p, 'archive-firehose-role', 'firehose.amazonaws.com', OUTSIDER),
      },
      {
        who: 'lambda.amazonaws.com for the central account',
        what: 'sts:AssumeRole on archive-firehose-role',
        expected: 'implicit-deny',
        ask: (p) => assume(p, 'archive-firehose-role', 'lambda.amazonaws.com', CENTRAL),
      },
    ],
    captured,
  );
});
