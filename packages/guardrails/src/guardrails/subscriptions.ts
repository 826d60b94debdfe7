// Guardrail 5: the pipeline never subscribes to its own logs. The pipeline's Lambdas write to
// CloudWatch Logs like everything else; if those log groups were subscribed to the central
// destination, every batch the pipeline processes would produce log events that come back to it as a
// new batch: a loop that grows until throttling. So an account-level subscription filter policy must
// exclude the pipeline's log groups by name, and no subscription filter may sit on one of them.
import { defineResourcePolicy } from '../define.ts';
import { Unknown, at } from '../inputs.ts';
import { LOG_ACCOUNT_POLICY, LOG_SUBSCRIPTION_FILTER } from '../resource-types.ts';
import { quotedList } from './common.ts';

/** Configuration of the `subscriptions-exclude-pipeline` policy. */
export interface SubscriptionsConfig {
  /** Log groups of the pipeline itself, which every subscription filter policy must exclude by name. */
  pipelineLogGroups: string[];
  /** Name prefixes of pipeline log groups, on which no subscription filter may be created. */
  pipelineLogGroupPrefixes: string[];
}

/**
 * central-infra's `pipelineLogGroups` output for its default names (this pack cannot import the
 * program; apps/central-infra/tests/guardrails.test.ts checks the two agree). Firehose's delivery
 * log and the OpenSearch domain's logs loop too: the audit log records the indexer's own writes.
 */
export const SUBSCRIPTIONS_DEFAULTS: SubscriptionsConfig = {
  pipelineLogGroups: [
    '/aws/lambda/central-logging-firehose-processor',
    '/aws/lambda/central-logging-indexer',
    '/aws/lambda/central-logging-alerts',
    '/aws/kinesisfirehose/central-logging-archive',
    '/aws/opensearch/central-logging/index_slow_logs',
    '/aws/opensearch/central-logging/search_slow_logs',
    '/aws/opensearch/central-logging/es_application_logs',
    '/aws/opensearch/central-logging/audit_logs',
  ],
  pipelineLogGroupPrefixes: [
    '/aws/lambda/central-logging-',
    '/aws/kinesisfirehose/central-logging-',
    '/aws/opensearch/central-logging/',
  ],
};

/**
 * The log group names of a selection criteria `LogGroupName NOT IN ["a", "b"]`, the only form
 * PutAccountPolicy accepts for subscription filter policies; undefined for anything else.
 */
export function excludedLogGroups(selectionCriteria: string): string[] | undefined {
  const match = /^\s*LogGroupName\s+NOT\s+IN\s*\[(.*)\]\s*$/is.exec(selectionCriteria);
  if (!match) return undefined;
  try {
    const names: unknown = JSON.parse(`[${match[1] ?? ''}]`);
    if (Array.isArray(names) && names.every((name) => typeof name === 'string')) return names;
  } catch {
    // Not a list of JSON strings (single quotes, say): not a form we can read, reported by the caller.
  }
  return undefined;
}

/** The selection criteria that excludes `names`, for violation messages to suggest. */
function criteriaExcluding(names: readonly string[]): string {
  return `LogGroupName NOT IN [${names.map((name) => JSON.stringify(name)).join(', ')}]`;
}

/** Subscription filter policies exclude the pipeline's log groups; no subscription filter sits on one. */
export const subscriptionsExcludePipeline = defineResourcePolicy<SubscriptionsConfig>({
  name: 'subscriptions-exclude-pipeline',
  description:
    "Account-level subscription filter policies exclude the pipeline's own log groups (selectionCriteria LogGroupName NOT IN [...]), and no subscription filter is created on a pipeline log group, so the pipeline never ingests its own logs.",
  severity: 'high',
  remediationSteps:
    'Set selectionCriteria on the LogAccountPolicy to LogGroupName NOT IN [...] listing every pipeline log group; remove subscription filters from pipeline log groups.',
  defaults: SUBSCRIPTIONS_DEFAULTS,
  configSchema: {
    properties: {
      pipelineLogGroups: {
        type: 'array',
        items: { type: 'string' },
        default: SUBSCRIPTIONS_DEFAULTS.pipelineLogGroups,
        description:
          'Log groups of the pipeline, which every subscription filter policy must exclude by name.',
      },
      pipelineLogGroupPrefixes: {
        type: 'array',
        items: { type: 'string' },
        default: SUBSCRIPTIONS_DEFAULTS.pipelineLogGroupPrefixes,
        description: 'Name prefixes of pipeline log groups, on which no subscription filter may be created.',
      },
    },
  },
  checks: {
    [LOG_ACCOUNT_POLICY]: ({ props, config, report, skip }) => {
      const policyType = at(props, 'policyType');
      if (policyType instanceof Unknown) return skip(policyType);
      if (policyType !== 'SUBSCRIPTION_FILTER_POLICY') return;

      const criteria = at(props, 'selectionCriteria');
      if (criteria instanceof Unknown) return skip(criteria);
      const suggestion = criteriaExcluding(config.pipelineLogGroups);
      if (typeof criteria !== 'string' || criteria.trim() === '') {
        return report(
          `selectionCriteria is not set, so the policy subscribes every log group, the pipeline's own too (a log loop): set it to '${suggestion}'.`,
        );
      }
      const excluded = excludedLogGroups(criteria);
      if (!excluded) {
        return report(
          `selectionCriteria '${criteria}' is not of the form LogGroupName NOT IN ["…"]: set it to '${suggestion}'.`,
        );
      }
      const missing = config.pipelineLogGroups.filter((name) => !excluded.includes(name));
      if (missing.length > 0) {
        report(
          `selectionCriteria does not exclude the pipeline log groups ${quotedList(missing)}: set it to '${criteriaExcluding([...excluded, ...missing])}'.`,
        );
      }
    },
    [LOG_SUBSCRIPTION_FILTER]: ({ props, config, report, skip }) => {
      const logGroup = at(props, 'logGroup');
      if (logGroup instanceof Unknown) return skip(logGroup);
      if (typeof logGroup !== 'string') return;
      const isPipeline =
        config.pipelineLogGroups.includes(logGroup) ||
        config.pipelineLogGroupPrefixes.some((prefix) => logGroup.startsWith(prefix));
      if (isPipeline) {
        report(
          `logGroup "${logGroup}" is a pipeline log group: subscribing it sends the pipeline's own logs back into the pipeline (a log loop); remove this subscription filter.`,
        );
      }
    },
  },
});
