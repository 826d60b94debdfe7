import { describe, expect, it } from 'vitest';
import { excludedLogGroups, subscriptionsExcludePipeline as policy } from '../src/policies.ts';
import {
  PIPELINE_LOG_GROUPS,
  accountSubscriptionPolicy,
  messages,
  subscriptionFilter,
  withProps,
  withoutProps,
} from './support/resources.ts';

const quoted = (names: readonly string[]) => names.map((name) => `"${name}"`).join(', ');
const SUGGESTION = `LogGroupName NOT IN [${quoted(PIPELINE_LOG_GROUPS)}]`;
const LAMBDA_LOG_GROUPS = PIPELINE_LOG_GROUPS.filter((name) => name.startsWith('/aws/lambda/'));

describe('subscriptions-exclude-pipeline', () => {
  describe('account-level subscription filter policies', () => {
    it('accepts a policy that excludes every pipeline log group, among others', async () => {
      const criteria = `LogGroupName NOT IN ["/aws/lambda/noisy-health-check", ${quoted(PIPELINE_LOG_GROUPS)}]`;
      expect(await messages(policy, accountSubscriptionPolicy())).toEqual([]);
      expect(
        await messages(policy, withProps(accountSubscriptionPolicy(), { selectionCriteria: criteria })),
      ).toEqual([]);
    });

    it('refuses a policy without selection criteria, which subscribes the pipeline itself', async () => {
      expect(await messages(policy, withoutProps(accountSubscriptionPolicy(), 'selectionCriteria'))).toEqual([
        `selectionCriteria is not set, so the policy subscribes every log group, the pipeline's own too (a log loop): set it to '${SUGGESTION}'.`,
      ]);
    });

    it('names the pipeline log groups left out, keeping the other exclusions in the suggestion', async () => {
      const missing = PIPELINE_LOG_GROUPS.filter((name) => name !== '/aws/lambda/central-logging-indexer');
      const criteria =
        'LogGroupName NOT IN ["/aws/lambda/noisy-health-check", "/aws/lambda/central-logging-indexer"]';
      expect(
        await messages(policy, withProps(accountSubscriptionPolicy(), { selectionCriteria: criteria })),
      ).toEqual([
        `selectionCriteria does not exclude the pipeline log groups ${quoted(missing)}: set it to 'LogGroupName NOT IN ["/aws/lambda/noisy-health-check", "/aws/lambda/central-logging-indexer", ${quoted(missing)}]'.`,
      ]);
    });

    it('refuses a policy that excludes only the Lambdas: Firehose’s and OpenSearch’s logs would loop too', async () => {
      // The indexer's own writes show up in the domain's audit log: subscribed, each batch makes another.
      const criteria = `LogGroupName NOT IN [${quoted(LAMBDA_LOG_GROUPS)}]`;
      const missing = PIPELINE_LOG_GROUPS.filter((name) => !LAMBDA_LOG_GROUPS.includes(name));
      expect(missing).toContain('/aws/opensearch/central-logging/audit_logs');
      expect(missing).toContain('/aws/kinesisfirehose/central-logging-archive');
      expect(
        await messages(policy, withProps(accountSubscriptionPolicy(), { selectionCriteria: criteria })),
      ).toEqual([
        `selectionCriteria does not exclude the pipeline log groups ${quoted(missing)}: set it to '${SUGGESTION}'.`,
      ]);
    });

    it('refuses criteria of another form', async () => {
      const criteria = 'LogGroupNamePrefix NOT IN ["/aws/lambda/central-logging-"]';
      expect(
        await messages(policy, withProps(accountSubscriptionPolicy(), { selectionCriteria: criteria })),
      ).toEqual([
        `selectionCriteria '${criteria}' is not of the form LogGroupName NOT IN ["…"]: set it to '${SUGGESTION}'.`,
      ]);
    });

    it('takes the pipeline log groups from config', async () => {
      const config = {
        'subscriptions-exclude-pipeline': { pipelineLogGroups: ['/aws/lambda/central-logging-replay'] },
      };
      expect(await messages(policy, accountSubscriptionPolicy(), config)).toEqual([
        `selectionCriteria does not exclude the pipeline log groups "/aws/lambda/central-logging-replay": set it to 'LogGroupName NOT IN [${quoted([...PIPELINE_LOG_GROUPS, '/aws/lambda/central-logging-replay'])}]'.`,
      ]);
    });

    it('leaves other account policy types alone', async () => {
      const dataProtection = withProps(withoutProps(accountSubscriptionPolicy(), 'selectionCriteria'), {
        policyType: 'DATA_PROTECTION_POLICY',
      });
      expect(await messages(policy, dataProtection)).toEqual([]);
    });
  });

  describe('subscription filters', () => {
    it('accepts a filter on an application log group', async () => {
      expect(await messages(policy, subscriptionFilter())).toEqual([]);
    });

    it('refuses a filter on a pipeline log group', async () => {
      const onIndexer = withProps(subscriptionFilter(), { logGroup: '/aws/lambda/central-logging-indexer' });
      expect(await messages(policy, onIndexer)).toEqual([
        'logGroup "/aws/lambda/central-logging-indexer" is a pipeline log group: subscribing it sends the pipeline\'s own logs back into the pipeline (a log loop); remove this subscription filter.',
      ]);
    });

    it.each([
      '/aws/kinesisfirehose/central-logging-archive',
      '/aws/opensearch/central-logging/audit_logs',
      '/aws/opensearch/central-logging/es_application_logs',
    ])('refuses a filter on the Firehose or OpenSearch log group %s', async (logGroup) => {
      expect(await messages(policy, withProps(subscriptionFilter(), { logGroup }))).toEqual([
        `logGroup "${logGroup}" is a pipeline log group: subscribing it sends the pipeline's own logs back into the pipeline (a log loop); remove this subscription filter.`,
      ]);
    });

    it('refuses a filter on any log group under a pipeline prefix', async () => {
      const onReplay = withProps(subscriptionFilter(), { logGroup: '/aws/lambda/central-logging-replay' });
      expect(await messages(policy, onReplay)).toHaveLength(1);
      const config = { 'subscriptions-exclude-pipeline': { pipelineLogGroupPrefixes: [] } };
      expect(await messages(policy, onReplay, config)).toEqual([]);
      for (const logGroup of [
        '/aws/kinesisfirehose/central-logging-replay',
        '/aws/opensearch/central-logging/other_logs',
      ]) {
        expect(await messages(policy, withProps(subscriptionFilter(), { logGroup })), logGroup).toHaveLength(
          1,
        );
      }
    });
  });

  describe('excludedLogGroups', () => {
    it('reads the names of LogGroupName NOT IN [...]', () => {
      expect(excludedLogGroups('LogGroupName NOT IN ["a", "b/c"]')).toEqual(['a', 'b/c']);
      expect(excludedLogGroups('  LogGroupName NOT IN []  ')).toEqual([]);
    });

    it('returns undefined for anything else', () => {
      expect(excludedLogGroups('LogGroupName IN ["a"]')).toBeUndefined();
      expect(excludedLogGroups("LogGroupName NOT IN ['a']")).toBeUndefined();
      expect(excludedLogGroups('LogGroupName NOT IN [1, 2]')).toBeUndefined();
    });
  });
});
