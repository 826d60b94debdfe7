import { describe, expect, it } from 'vitest';
import {
  ENCRYPTION_DEFAULTS,
  LOG_RETENTION_DEFAULTS,
  SUBSCRIPTIONS_DEFAULTS,
  evaluatePolicies,
  guardrails,
  policies,
  resourcePolicies,
  stackPolicies,
  urnOf,
} from '../src/policies.ts';
import {
  centralStack,
  kinesisStream,
  trailBucketPolicy,
  withProps,
  withoutProps,
} from './support/resources.ts';

describe('the pack', () => {
  it('has a name Pulumi accepts and seven uniquely named, mandatory policies', () => {
    expect(guardrails.name).toMatch(/^[a-zA-Z0-9._-]+$/);
    expect(policies.map((policy) => policy.name)).toEqual([
      'encryption-with-customer-managed-key',
      'no-public-access',
      'log-retention',
      'destination-policy-org-scoped',
      'subscriptions-exclude-pipeline',
      's3-public-access-block',
      's3-bucket-encryption',
    ]);
    expect(policies.every((policy) => policy.enforcementLevel === 'mandatory')).toBe(true);
    expect(policies.every((policy) => policy.description.length > 0)).toBe(true);
    expect(resourcePolicies.every((policy) => typeof policy.validateResource === 'function')).toBe(true);
    expect(stackPolicies.every((policy) => typeof policy.validateStack === 'function')).toBe(true);
  });

  it('publishes the defaults the code uses in its config schemas', () => {
    const defaults = Object.fromEntries(
      policies.map((policy) => [
        policy.name,
        Object.fromEntries(
          Object.entries(policy.configSchema?.properties ?? {}).map(([key, schema]) => [
            key,
            typeof schema === 'object' ? schema.default : undefined,
          ]),
        ),
      ]),
    );
    expect(defaults).toEqual({
      'encryption-with-customer-managed-key': ENCRYPTION_DEFAULTS,
      'no-public-access': {},
      'log-retention': LOG_RETENTION_DEFAULTS,
      'destination-policy-org-scoped': {},
      'subscriptions-exclude-pipeline': SUBSCRIPTIONS_DEFAULTS,
      's3-public-access-block': {},
      's3-bucket-encryption': {},
    });
  });

  it('finds nothing to report in the compliant central stack', async () => {
    expect(await evaluatePolicies(policies, [...centralStack(), trailBucketPolicy()])).toEqual([]);
  });

  it('reports each violation with its policy and resource', async () => {
    const plainStream = withoutProps(withProps(kinesisStream(), { retentionPeriod: 12 }), 'encryptionType');
    const stack = centralStack().map((resource) =>
      resource.name === plainStream.name ? plainStream : resource,
    );
    expect(await evaluatePolicies(policies, stack)).toEqual([
      {
        policy: 'encryption-with-customer-managed-key',
        message:
          'encryptionType is not set: set encryptionType: "KMS" and kmsKeyId to the ARN of a customer-managed KMS key.',
        urn: urnOf(plainStream),
      },
      {
        policy: 'log-retention',
        message:
          'retentionPeriod is 12 hours: set it to at least 24 so the pipeline can catch up after an outage.',
        urn: urnOf(plainStream),
      },
    ]);
  });
});
