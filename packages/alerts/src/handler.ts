// The alerts Lambda (Kinesis Data Streams event source, ReportBatchItemFailures). Module scope
// runs once per cold start: the rules and tenants are loaded and validated here, so a malformed
// rule file fails the deployment's first invocation, not the first matching event.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import {
  createDecoder,
  createLogger,
  decodeKinesisEvent,
  emfLine,
  levelFromEnv,
  type KinesisStreamEvent,
} from '@central-logging/decoder';
import type { LogDocument } from '@central-logging/log-schema';
import { alertsConfigFromEnv } from './config.ts';
import { RuleEngine } from './engine.ts';
import { createNotifier } from './notifier.ts';
import { createWebhookResolver } from './notify/index.ts';
import { processDocuments } from './process.ts';
import { loadAlertConfig } from './rules/load.ts';
import { AlertStore } from './state.ts';

const config = alertsConfigFromEnv(process.env, dirname(fileURLToPath(import.meta.url)));
const { rules, tenants } = loadAlertConfig({ ruleDirs: config.ruleDirs, tenantsFile: config.tenantsFile });
const engine = new RuleEngine(
  rules,
  {
    ...tenants,
    default: {
      destinations: tenants.default?.destinations ?? {
        snsTopicArn: config.defaultSnsTopicArn,
        slackWebhook: config.defaultSlackWebhook,
      },
    },
  },
  { indexPrefix: config.indexPrefix },
);
const decoder = createDecoder(config.decoder);
const store = new AlertStore({ client: new DynamoDBClient({}), table: config.table });
const notifier = createNotifier({
  destinationsOf: (tenant) => engine.destinationsOf(tenant),
  sns: new SNSClient({}),
  webhooks: createWebhookResolver({ secretsManager: new SecretsManagerClient({}), ssm: new SSMClient({}) }),
  links: { dashboardsUrl: config.dashboardsUrl },
});
const logger = createLogger('alerts', levelFromEnv(process.env.LOG_LEVEL));

export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  readonly awsRequestId?: string;
}

/**
 * With `tumblingWindowInSeconds` set on the event source mapping, Lambda adds `window` and `state`
 * to the event and counts a response without `state` as a failed invocation. Windows live in
 * DynamoDB (see README), so the state passed on is always empty.
 */
export type AlertsEvent = KinesisStreamEvent & {
  readonly window?: { readonly start: string; readonly end: string };
  readonly state?: Readonly<Record<string, string>>;
};

export interface AlertsResponse {
  readonly batchItemFailures: { itemIdentifier: string }[];
  readonly state?: Record<string, string>;
}

export const handler = async (event: AlertsEvent, context: LambdaContext): Promise<AlertsResponse> => {
  const respond = (batchItemFailures: { itemIdentifier: string }[]): AlertsResponse =>
    event.window === undefined ? { batchItemFailures } : { batchItemFailures, state: {} };
  const deadline = Date.now() + context.getRemainingTimeInMillis() - config.timeReserveMs;
  const documents: LogDocument[] = [];
  let decodeErrors = 0;
  for (const { result } of decodeKinesisEvent(event, decoder)) {
    if (result.kind === 'data') documents.push(...result.documents);
    // Undecodable records are the indexer's to dead-letter; alerts has nothing to read in them.
    else if (result.kind === 'error') decodeErrors++;
  }
  try {
    const summary = await processDocuments(documents, {
      engine,
      store,
      notifier,
      owner: context.awsRequestId ?? `alerts-${process.pid}-${Date.now()}`,
      deadline,
      leaseMs: config.leaseMs,
      pendingLimit: config.pendingLimit,
    });
    const { failures, ...counts } = summary;
    process.stdout.write(
      emfLine(
        config.metricsNamespace,
        { Service: 'alerts' },
        { ...counts, records: event.Records.length, decodeErrors },
        {
          requestId: context.awsRequestId,
          failures,
        },
      ) + '\n',
    );
    return respond([]);
  } catch (error) {
    // DynamoDB is the source of truth for windows and dedup: without it nothing can be decided
    // safely. The whole batch goes back to Kinesis; every step is idempotent, so the retry is safe.
    logger.error('Batch returned to Kinesis', {
      error: error instanceof Error ? error.message : String(error),
    });
    return respond(event.Records.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })));
  }
};
