import {
  SUBSCRIPTIONS_DEFAULTS,
  evaluatePolicies,
  policies,
  type ResourceDescription,
  type Violation,
} from '@central-logging/guardrails';
import { beforeAll, describe, expect, test } from 'vitest';
import { runProgram, type DeclaredResource, type ProgramRun } from './support/program.ts';

/** A declared resource as the policy pack sees it under `pulumi preview --policy-pack`. */
const described = (r: DeclaredResource): ResourceDescription => ({
  type: r.type,
  name: r.name,
  urn: r.urn,
  props: r.inputs,
  propertyDependencies: Object.fromEntries(
    Object.entries(r.propertyDependencies).map(([key, urns]) => [key, [...urns]]),
  ),
});

/** The pack's findings on the run, with one resource's inputs changed by `change`. */
async function findings(
  run: ProgramRun,
  change?: { name: string; type?: string; props: Record<string, unknown> },
) {
  const resources = run.resources.map((r) =>
    change && r.name === change.name && (change.type === undefined || r.type === change.type)
      ? { ...described(r), props: { ...r.inputs, ...change.props } }
      : described(r),
  );
  return evaluatePolicies(policies, resources);
}

const messages = (violations: readonly Violation[]) => violations.map((v) => `${v.policy}: ${v.message}`);

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram();
});

describe('the guardrails policy pack on the mocked program', () => {
  test('every resource of the example stack passes every guardrail', async () => {
    expect(run.resources.length).toBeGreaterThan(100);
    expect(messages(await findings(run))).toEqual([]);
  });

  test('so do the VPC placement and account-list variants', async () => {
    const variant = await runProgram({
      destinationAccess: 'accounts',
      opensearch: { instanceCount: 2, availabilityZones: 2, vpc: { cidrBlock: '10.40.0.0/16' } },
    });
    expect(messages(await findings(variant))).toEqual([]);
  });

  test.each([
    [
      'a log group without the key',
      { name: 'indexer-fn-logs', props: { kmsKeyId: undefined } },
      /^encryption-with-customer-managed-key: kmsKeyId is not set/,
    ],
    [
      'a log group kept forever',
      { name: 'alerts-fn-logs', props: { retentionInDays: 0 } },
      /^log-retention: retentionInDays is 0, so events never expire/,
    ],
    [
      'a stream with the AWS-managed key',
      { name: 'log-stream-stream', props: { kmsKeyId: 'alias/aws/kinesis' } },
      /^encryption-with-customer-managed-key: kmsKeyId is the AWS-managed key "alias\/aws\/kinesis"/,
    ],
    [
      'a destination open to everyone',
      {
        name: 'destinations-eu-west-1-access',
        props: {
          accessPolicy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: '*' },
                Action: 'logs:PutSubscriptionFilter',
                Resource: '*',
              },
            ],
          }),
        },
      },
      /^destination-policy-org-scoped: accessPolicy statement 1 allows "\*" without an aws:PrincipalOrgID condition/,
    ],
    [
      'a bucket whose public access block lets policies go public',
      { name: 'archive-bucket-public-access', props: { restrictPublicBuckets: false } },
      /^s3-public-access-block: BucketPublicAccessBlock "archive-bucket-public-access" leaves "restrictPublicBuckets" off/,
    ],
    [
      'a domain without fine-grained access control',
      {
        name: 'search-domain',
        props: { advancedSecurityOptions: { enabled: false } },
      },
      /^no-public-access: advancedSecurityOptions.enabled is false/,
    ],
    [
      'a domain policy open to everyone',
      {
        name: 'search-access',
        props: {
          accessPolicies: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: '*' },
                Action: 'es:*',
                Resource: 'arn:aws:es:eu-west-1:210987654321:domain/central-logging/*',
              },
            ],
          }),
        },
      },
      /^no-public-access: accessPolicies statement 1 allows any principal/,
    ],
    [
      'a topic with the AWS-managed key',
      { name: 'alerts-topic', props: { kmsMasterKeyId: 'alias/aws/sns' } },
      /^encryption-with-customer-managed-key: kmsMasterKeyId is the AWS-managed key "alias\/aws\/sns"/,
    ],
  ] as const)('refuses %s', async (_, change, expected) => {
    const found = messages(await findings(run, change));
    expect(found.length, found.join('\n')).toBeGreaterThanOrEqual(1);
    for (const message of found) expect(message).toMatch(expected);
  });

  test('a bucket without its public access block is refused', async () => {
    const withoutBlock = run.resources
      .filter((r) => r.name !== 'cloudtrail-bucket-public-access')
      .map(described);
    expect(messages(await evaluatePolicies(policies, withoutBlock))).toEqual([
      expect.stringMatching(/^s3-public-access-block: .*cloudtrail-bucket/),
    ]);
  });

  test('a bucket without its encryption configuration is refused', async () => {
    const withoutEncryption = run.resources
      .filter((r) => r.name !== 'archive-bucket-encryption')
      .map(described);
    expect(messages(await evaluatePolicies(policies, withoutEncryption))).toEqual([
      expect.stringMatching(/^s3-bucket-encryption: .*archive-bucket/),
    ]);
  });

  // The pack cannot import this program, so it keeps its own copy of the names.
  test('the pack’s default pipeline log groups are the ones the program creates', () => {
    const created = run.outputs['pipelineLogGroups'] as string[];
    expect([...SUBSCRIPTIONS_DEFAULTS.pipelineLogGroups].sort()).toEqual(created);
    for (const name of created) {
      const prefixed = SUBSCRIPTIONS_DEFAULTS.pipelineLogGroupPrefixes.some((p) => name.startsWith(p));
      expect(prefixed, name).toBe(true);
    }
  });

  test('a subscription filter on a pipeline log group (a log loop) is refused', async () => {
    const loop: ResourceDescription = {
      type: 'aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter',
      name: 'loop',
      props: {
        logGroup: '/aws/lambda/central-logging-indexer',
        destinationArn:
          run.outputs['destinationArns'] &&
          'arn:aws:logs:eu-west-1:210987654321:destination:central-logging-destination',
        filterPattern: '',
      },
    };
    const found = await evaluatePolicies(policies, [...run.resources.map(described), loop]);
    expect(messages(found)).toEqual([
      expect.stringMatching(/^subscriptions-exclude-pipeline: .*central-logging-indexer/),
    ]);
  });
});
