// During `pulumi preview` some inputs are unknown (the ARN of a key this stack creates, a policy built
// from outputs). A presence check counts an unknown value as set; a check that needs the value is
// skipped, the policy's other checks still run, and the engine shows one advisory for the skip.
import type { ReportViolation } from '@pulumi/policy';
import { describe, expect, it } from 'vitest';
import {
  destinationPolicyOrgScoped,
  encryptionWithCustomerManagedKey,
  evaluateResource,
  logRetention,
  noPublicAccess,
  subscriptionsExcludePipeline,
  urnOf,
} from '../src/policies.ts';
import { UNKNOWN_BOOLEAN, UNKNOWN_STRING, duringPreview } from './support/preview.ts';
import {
  TRAIL_ARN,
  accountSubscriptionPolicy,
  destinationPolicy,
  kinesisStream,
  openSearchDomain,
  pipelineLogGroup,
  trailBucketPolicy,
  withProps,
  withoutProps,
} from './support/resources.ts';

const advisory = (policy: string, path: string, kind = 'string') => ({
  policy,
  message: `can't run policy '${policy}' during preview: ${kind} value at .${path} can't be known during preview`,
  advisory: true,
});

describe('unknown values during preview', () => {
  it('counts an unknown key ARN as set: no violation, no advisory', async () => {
    const stream = duringPreview(withProps(kinesisStream(), { kmsKeyId: UNKNOWN_STRING }));
    expect(await evaluateResource(encryptionWithCustomerManagedKey, stream)).toEqual([]);
  });

  it('skips a destination policy that is unknown, with an advisory', async () => {
    const policy = duringPreview(withProps(destinationPolicy(), { accessPolicy: UNKNOWN_STRING }));
    expect(await evaluateResource(destinationPolicyOrgScoped, policy)).toEqual([
      advisory('destination-policy-org-scoped', 'accessPolicy'),
    ]);
  });

  it('skips only the check that needs the unknown value; the others still report', async () => {
    const publicDomain = duringPreview(
      withProps(withoutProps(openSearchDomain(), 'vpcOptions', 'advancedSecurityOptions'), {
        accessPolicies: UNKNOWN_STRING,
      }),
    );
    expect(await evaluateResource(noPublicAccess, publicDomain)).toEqual([
      {
        policy: 'no-public-access',
        message:
          'advancedSecurityOptions.enabled is not set: a domain without vpcOptions has a public endpoint; turn on fine-grained access control (advancedSecurityOptions: { enabled: true, ... }) or put the domain in a VPC.',
      },
      advisory('no-public-access', 'accessPolicies'),
    ]);
  });

  it('reads an object policy document around its unknown parts', async () => {
    // An aws.iam.PolicyDocument object whose condition value is the ARN of a trail created in the same
    // stack: "*" is restricted by aws:SourceArn, whatever the ARN turns out to be.
    const document = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetBucketAcl',
          Resource: UNKNOWN_STRING,
          Condition: { StringEquals: { 'aws:SourceArn': UNKNOWN_STRING } },
        },
      ],
    };
    const bucketPolicy = duringPreview(withProps(trailBucketPolicy(), { policy: document }));
    expect(await evaluateResource(noPublicAccess, bucketPolicy)).toEqual([]);
  });

  it('skips a statement whose principal is unknown', async () => {
    const document = {
      Statement: [
        { Effect: 'Allow', Principal: { AWS: UNKNOWN_STRING }, Action: 's3:GetObject', Resource: TRAIL_ARN },
      ],
    };
    const bucketPolicy = duringPreview(withProps(trailBucketPolicy(), { policy: document }));
    expect(await evaluateResource(noPublicAccess, bucketPolicy)).toEqual([
      advisory('no-public-access', 'policy.Statement.0.Principal.AWS'),
    ]);
  });

  it('skips a retention it cannot read, and a boolean it cannot read', async () => {
    const group = duringPreview(withProps(pipelineLogGroup(), { retentionInDays: UNKNOWN_STRING }));
    expect(await evaluateResource(logRetention, group)).toEqual([
      advisory('log-retention', 'retentionInDays'),
    ]);
    const domain = duringPreview(
      withProps(openSearchDomain(), { nodeToNodeEncryption: { enabled: UNKNOWN_BOOLEAN } }),
    );
    expect(await evaluateResource(encryptionWithCustomerManagedKey, domain)).toEqual([
      advisory('encryption-with-customer-managed-key', 'nodeToNodeEncryption.enabled', 'boolean'),
    ]);
  });

  it('skips selection criteria built from outputs', async () => {
    const policy = duringPreview(
      withProps(accountSubscriptionPolicy(), { selectionCriteria: UNKNOWN_STRING }),
    );
    expect(await evaluateResource(subscriptionsExcludePipeline, policy)).toEqual([
      advisory('subscriptions-exclude-pipeline', 'selectionCriteria'),
    ]);
  });

  it('hands the engine its own error after the other checks reported (validateResource called directly)', async () => {
    const publicDomain = duringPreview(
      withProps(withoutProps(openSearchDomain(), 'vpcOptions', 'advancedSecurityOptions'), {
        accessPolicies: UNKNOWN_STRING,
      }),
    );
    const reported: string[] = [];
    const report: ReportViolation = (message) => reported.push(message);
    const validate = noPublicAccess.validateResource;
    if (typeof validate !== 'function') throw new Error('validateResource should be a single function');
    const run = async () =>
      validate(
        {
          type: publicDomain.type,
          name: publicDomain.name,
          urn: urnOf(publicDomain),
          props: publicDomain.props,
          opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            additionalSecretOutputs: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
          },
          stackTags: new Map(),
          isType: () => false,
          asType: () => undefined,
          getConfig: <T extends object>() => ({}) as T,
          notApplicable: () => {
            throw new Error('not applicable');
          },
        },
        report,
      );
    await expect(run()).rejects.toThrow("string value at .accessPolicies can't be known during preview");
    expect(reported).toEqual([expect.stringMatching(/^advancedSecurityOptions\.enabled is not set/)]);
  });
});
