/**
 * The central logging account (../../shared/ARCHITECTURE.md): every member account's log groups
 * subscribe to a CloudWatch Logs destination in their region; all destinations feed one Kinesis
 * stream, read by Firehose (decoder → S3 archive), the indexer (→ OpenSearch) and the alerts
 * (→ DynamoDB, SNS, Slack). Everything is encrypted with one customer-managed key.
 */
import * as pulumi from '@pulumi/pulumi';
import { Alerts } from './components/alerts.ts';
import { Archive, DEAD_LETTER_PREFIX } from './components/archive.ts';
import { CloudTrailBucket } from './components/cloudtrail-bucket.ts';
import { LogEncryptionKey } from './components/encryption.ts';
import { Indexer } from './components/indexer.ts';
import { LogDestinations } from './components/log-destinations.ts';
import { LogStream } from './components/log-stream.ts';
import { PipelineAlarms } from './components/pipeline-alarms.ts';
import { SearchDomain } from './components/search-domain.ts';
import { loadConfig } from './config.ts';
import { centralProvider } from './providers.ts';

// Config first: a bad stack file stops here, before any resource is declared.
const { config, slackWebhookUrl } = loadConfig();
const { accountId, partition, homeRegion, namePrefix, organizationId } = config;
const opts: pulumi.ComponentResourceOptions = { providers: { aws: centralProvider(config) } };

/** Names other stacks and accounts rely on; everything else is auto-named. */
const names = {
  destination: `${namePrefix}-destination`,
  deliveryStream: `${namePrefix}-archive`,
  firehoseProcessor: `${namePrefix}-firehose-processor`,
  indexer: `${namePrefix}-indexer`,
  alerts: `${namePrefix}-alerts`,
  openSearchMasterRole: `${namePrefix}-opensearch-admin`,
};
const trailArn = `arn:${partition}:cloudtrail:${config.cloudtrail.trailRegion}:${config.managementAccountId}:trail/${config.cloudtrail.trailName}`;

const key = new LogEncryptionKey(
  'encryption',
  {
    alias: `alias/${namePrefix}`,
    partition,
    accountId,
    homeRegion,
    regions: [...new Set([homeRegion, ...config.regions])],
    organizationId,
    trailArn,
  },
  opts,
);

const stream = new LogStream('log-stream', { settings: config.stream, kmsKeyArn: key.arn }, opts);

const destinations = new LogDestinations(
  'destinations',
  {
    partition,
    homeRegion,
    regions: config.regions,
    destinationName: names.destination,
    access: config.destinationAccess,
    streamArn: stream.arn,
    kmsKeyArn: key.arn,
  },
  opts,
);

const archive = new Archive(
  'archive',
  {
    accountId,
    homeRegion,
    organizationId,
    settings: config.archive,
    processorName: names.firehoseProcessor,
    processor: config.functions.firehoseProcessor,
    deliveryStreamName: names.deliveryStream,
    logRetentionDays: config.logRetentionDays,
    streamArn: stream.arn,
    kmsKeyArn: key.arn,
  },
  opts,
);

const search = new SearchDomain(
  'search',
  {
    partition,
    accountId,
    homeRegion,
    settings: config.opensearch,
    logRetentionDays: config.logRetentionDays,
    kmsKeyArn: key.arn,
    masterRoleName: names.openSearchMasterRole,
  },
  opts,
);

const indexer = new Indexer(
  'indexer',
  {
    accountId,
    homeRegion,
    functionName: names.indexer,
    settings: config.functions.indexer,
    logRetentionDays: config.logRetentionDays,
    kmsKeyArn: key.arn,
    streamArn: stream.arn,
    domainArn: search.arn,
    domainEndpoint: search.endpoint,
    deadLetterBucket: { name: archive.bucket.name, arn: archive.bucket.arn },
    deadLetterPrefix: DEAD_LETTER_PREFIX,
    metricsByAccount: config.alarms.quietAccountHours > 0,
    network: search.network,
  },
  opts,
);
search.allowAccess([indexer.roleArn], [search.masterRole.arn, ...config.opensearch.adminRoleArns]);

const alerts = new Alerts(
  'alerts',
  {
    accountId,
    homeRegion,
    functionName: names.alerts,
    settings: config.functions.alerts,
    logRetentionDays: config.logRetentionDays,
    kmsKeyArn: key.arn,
    streamArn: stream.arn,
    subscriptions: config.alerts.subscriptions,
    slackWebhookUrl,
    dashboardsUrl: config.alerts.dashboardsUrl ?? search.dashboardsUrl,
  },
  opts,
);

const cloudtrail = new CloudTrailBucket(
  'cloudtrail',
  {
    organizationId,
    managementAccountId: config.managementAccountId,
    centralAccountId: accountId,
    trailArn,
    glacierDays: config.cloudtrail.glacierDays,
    expireDays: config.cloudtrail.expireDays,
    kmsKeyArn: key.arn,
  },
  opts,
);

const alarms = new PipelineAlarms(
  'pipeline-alarms',
  {
    accountId,
    settings: config.alarms,
    kmsKeyArn: key.arn,
    streamName: stream.name,
    deliveryStreamName: archive.deliveryStream.name,
    functionNames: {
      'firehose-processor': names.firehoseProcessor,
      indexer: names.indexer,
      alerts: names.alerts,
    },
    consumerFunctionNames: { indexer: names.indexer, alerts: names.alerts },
    onFailureQueueNames: { indexer: indexer.onFailureQueueName, alerts: alerts.onFailureQueueName },
    domainName: config.opensearch.domainName,
    metricsNamespace: 'CentralLogging',
  },
  opts,
);

/** Destination ARN by region: member-baseline subscribes each region's log groups to its own. */
export const destinationArns = destinations.arns;
export const destinationName = names.destination;
export const streamArn = stream.arn;
export const archiveBucket = archive.bucket.name;
export const cloudtrailBucket = cloudtrail.bucket.name;
export const kmsKeyArn = key.arn;
export const opensearchEndpoint = search.endpoint;
export const dashboardsUrl = search.dashboardsUrl;
export const alertsTopicArn = alerts.topic.arn;
export const alarmsTopicArn = alarms.topic.arn;
export { organizationId };
/** The organization trail member-baseline must create (this bucket and key accept no other). */
export const organizationTrailArn = trailArn;
/**
 * Every log group the pipeline writes to: an account-level subscription policy in this account
 * must exclude them all (`LogGroupName NOT IN [...]`), or the pipeline would ingest its own logs.
 */
export const pipelineLogGroups = pulumi
  .all([
    ...archive.logGroupNames,
    ...search.logGroupNames,
    indexer.function.logGroup.name,
    alerts.function.logGroup.name,
  ])
  .apply((names) => [...names].sort());
