import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { decoderOptionsFromEnv, envReader, type DecoderOptions, type Env } from '@central-logging/decoder';

/** A deployment mistake the alerts Lambda refuses to start with. */
export class AlertsConfigError extends Error {
  override readonly name = 'AlertsConfigError';
}

export interface AlertsConfig {
  readonly table: string;
  /** Directories of rule files: the built-in pack, then the organization's own. */
  readonly ruleDirs: readonly string[];
  readonly tenantsFile?: string | undefined;
  /** Destinations for the default tenant when the tenants file names none. */
  readonly defaultSnsTopicArn?: string | undefined;
  readonly defaultSlackWebhook?: string | undefined;
  readonly dashboardsUrl: string;
  readonly indexPrefix: string;
  readonly leaseMs: number;
  readonly timeReserveMs: number;
  readonly pendingLimit: number;
  readonly metricsNamespace: string;
  readonly decoder: DecoderOptions;
}

/**
 * The alerts Lambda's configuration, read once at cold start (`bundleDir` is where the bundle's
 * own `rules/` and an optional `tenants.yaml` sit).
 *
 * | variable | default | |
 * |---|---|---|
 * | `ALERTS_TABLE` | required | the DynamoDB table (windows, alerts, pending deliveries) |
 * | `ALERT_RULE_DIRS` | `<bundle>/rules` | comma-separated directories of rule files |
 * | `ALERT_TENANTS_FILE` | `<bundle>/tenants.yaml` if present | tenants, overrides, destinations |
 * | `ALERTS_SNS_TOPIC_ARN` | | default tenant's SNS topic |
 * | `ALERTS_SLACK_WEBHOOK` | | default tenant's webhook: a Secrets Manager ARN or `ssm:/name` |
 * | `DASHBOARDS_URL` | required | OpenSearch Dashboards base URL for the Discover links |
 * | `INDEX_PREFIX` | `logs` | as the indexer's |
 * | `ALERT_LEASE_MS` | 60000 | how long a delivery is reserved for one invocation |
 * | `TIME_RESERVE_MS` | 5000 | invocation time kept to record outcomes |
 * | `ALERT_PENDING_LIMIT` | 50 | earlier undelivered alerts retried per invocation |
 * | `METRICS_NAMESPACE` | `CentralLogging` | |
 */
export function alertsConfigFromEnv(env: Env, bundleDir: string): AlertsConfig {
  const read = envReader(env, (message) => new AlertsConfigError(message));
  const table = read.string('ALERTS_TABLE') ?? read.fail('ALERTS_TABLE is required (the DynamoDB table)');
  const dashboardsUrl =
    read.string('DASHBOARDS_URL') ??
    read.fail('DASHBOARDS_URL is required (links in notifications point there)');
  if (!/^https?:\/\//.test(dashboardsUrl))
    read.fail(`DASHBOARDS_URL must be an http(s) URL, got ${JSON.stringify(dashboardsUrl)}`);
  const ruleDirs = (read.string('ALERT_RULE_DIRS') ?? join(bundleDir, 'rules'))
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  for (const dir of ruleDirs) if (!existsSync(dir)) read.fail(`ALERT_RULE_DIRS: no directory ${dir}`);
  const bundledTenants = join(bundleDir, 'tenants.yaml');
  const tenantsFile =
    read.string('ALERT_TENANTS_FILE') ?? (existsSync(bundledTenants) ? bundledTenants : undefined);
  const defaultSlackWebhook = read.string('ALERTS_SLACK_WEBHOOK');
  if (
    defaultSlackWebhook !== undefined &&
    !/^(arn:aws[a-z-]*:(secretsmanager|ssm):|ssm:\/)/.test(defaultSlackWebhook)
  ) {
    read.fail(
      'ALERTS_SLACK_WEBHOOK must reference a Secrets Manager secret ARN or an SSM parameter (ssm:/name), never the URL',
    );
  }
  return {
    table,
    ruleDirs,
    tenantsFile,
    defaultSnsTopicArn: read.string('ALERTS_SNS_TOPIC_ARN'),
    defaultSlackWebhook,
    dashboardsUrl,
    indexPrefix: read.string('INDEX_PREFIX') ?? 'logs',
    leaseMs: read.integer('ALERT_LEASE_MS') ?? 60_000,
    timeReserveMs: read.integer('TIME_RESERVE_MS', { allowZero: true }) ?? 5_000,
    pendingLimit: read.integer('ALERT_PENDING_LIMIT') ?? 50,
    metricsNamespace: read.string('METRICS_NAMESPACE') ?? 'CentralLogging',
    decoder: decoderOptionsFromEnv(env),
  };
}
