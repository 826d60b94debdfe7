import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { CentralConfig } from '../config.ts';

export interface PipelineAlarmsArgs {
  readonly accountId: string;
  readonly settings: CentralConfig['alarms'];
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly streamName: pulumi.Input<string>;
  readonly deliveryStreamName: pulumi.Input<string>;
  /** Function names by role (firehose-processor, indexer, alerts). */
  readonly functionNames: Readonly<Record<string, pulumi.Input<string>>>;
  /** Stream consumers whose iterator age shows how far behind they are. */
  readonly consumerFunctionNames: Readonly<Record<string, pulumi.Input<string>>>;
  readonly onFailureQueueNames: Readonly<Record<string, pulumi.Input<string>>>;
  readonly domainName: pulumi.Input<string>;
  /** The namespace the Lambdas write their EMF metrics to. */
  readonly metricsNamespace: string;
}

interface AlarmSpec {
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, pulumi.Input<string>>;
  readonly statistic: 'Maximum' | 'Minimum' | 'Sum' | 'Average';
  readonly comparison:
    | 'GreaterThanThreshold'
    | 'GreaterThanOrEqualToThreshold'
    | 'LessThanThreshold'
    | 'LessThanOrEqualToThreshold';
  readonly threshold: number;
  readonly periodSeconds?: number;
  readonly evaluationPeriods?: number;
  /** What no data means: quiet is healthy for errors, alarming for a stream that should flow. */
  readonly missingData?: 'notBreaching' | 'breaching' | 'missing';
}

/**
 * Health of the pipeline itself, to an operations SNS topic: is data flowing (iterator age,
 * delivery freshness), is anything failing (throttles, Lambda errors, parked records), and is the
 * cluster healthy (red/yellow, storage, JVM pressure); optionally, has an account gone quiet.
 */
export class PipelineAlarms extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly alarms: aws.cloudwatch.MetricAlarm[] = [];

  constructor(name: string, args: PipelineAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('logging:central:PipelineAlarms', name, {}, opts);
    const { settings } = args;
    this.topic = new aws.sns.Topic(
      `${name}-topic`,
      { displayName: 'Central logging pipeline health', kmsMasterKeyId: args.kmsKeyArn },
      { parent: this },
    );
    settings.subscriptions.forEach((subscription, i) => {
      new aws.sns.TopicSubscription(
        `${name}-subscription-${i}`,
        { topic: this.topic.arn, protocol: subscription.protocol, endpoint: subscription.endpoint },
        { parent: this },
      );
    });

    const stream = { StreamName: args.streamName };
    this.alarm(`${name}-stream-iterator-age`, {
      description: `The oldest unread record of the log stream is over ${settings.iteratorAgeSeconds} s old: a consumer is falling behind`,
      namespace: 'AWS/Kinesis',
      metricName: 'GetRecords.IteratorAgeMilliseconds',
      dimensions: stream,
      statistic: 'Maximum',
      comparison: 'GreaterThanThreshold',
      threshold: settings.iteratorAgeSeconds * 1000,
      evaluationPeriods: 3,
    });
    this.alarm(`${name}-stream-write-throttles`, {
      description: 'Destinations are being throttled writing to the log stream (add shards or use on-demand)',
      namespace: 'AWS/Kinesis',
      metricName: 'WriteProvisionedThroughputExceeded',
      dimensions: stream,
      statistic: 'Sum',
      comparison: 'GreaterThanThreshold',
      threshold: 0,
      evaluationPeriods: 3,
    });

    this.alarm(`${name}-stream-read-throttles`, {
      description:
        "Firehose, the indexer and the alerts function are throttled sharing each shard's 2 MB/s of reads (add shards, or use enhanced fan-out)",
      namespace: 'AWS/Kinesis',
      metricName: 'ReadProvisionedThroughputExceeded',
      dimensions: stream,
      statistic: 'Sum',
      comparison: 'GreaterThanThreshold',
      threshold: 0,
      evaluationPeriods: 3,
    });

    const firehose = { DeliveryStreamName: args.deliveryStreamName };
    this.alarm(`${name}-archive-delivery`, {
      description: 'Firehose is failing to deliver to the S3 archive',
      namespace: 'AWS/Firehose',
      metricName: 'DeliveryToS3.Success',
      dimensions: firehose,
      statistic: 'Average',
      comparison: 'LessThanThreshold',
      threshold: 1,
      evaluationPeriods: 3,
    });
    this.alarm(`${name}-archive-freshness`, {
      description: `Records wait over ${settings.firehoseFreshnessSeconds} s before reaching the archive`,
      namespace: 'AWS/Firehose',
      metricName: 'DeliveryToS3.DataFreshness',
      dimensions: firehose,
      statistic: 'Maximum',
      comparison: 'GreaterThanThreshold',
      threshold: settings.firehoseFreshnessSeconds,
    });
    this.alarm(`${name}-archive-processing`, {
      description: 'The decoder Lambda fails Firehose invocations',
      namespace: 'AWS/Firehose',
      metricName: 'ExecuteProcessing.Success',
      dimensions: firehose,
      statistic: 'Average',
      comparison: 'LessThanThreshold',
      threshold: 1,
      evaluationPeriods: 3,
    });

    for (const [role, functionName] of Object.entries(args.functionNames)) {
      const fn = { FunctionName: functionName };
      this.alarm(`${name}-${role}-errors`, {
        description: `The ${role} Lambda reports errors`,
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensions: fn,
        statistic: 'Sum',
        comparison: 'GreaterThanThreshold',
        threshold: 0,
      });
      this.alarm(`${name}-${role}-throttles`, {
        description: `The ${role} Lambda is throttled (raise reserved or account concurrency)`,
        namespace: 'AWS/Lambda',
        metricName: 'Throttles',
        dimensions: fn,
        statistic: 'Sum',
        comparison: 'GreaterThanThreshold',
        threshold: 0,
      });
    }
    for (const [role, functionName] of Object.entries(args.consumerFunctionNames)) {
      this.alarm(`${name}-${role}-iterator-age`, {
        description: `The ${role} Lambda is over ${settings.iteratorAgeSeconds} s behind the stream`,
        namespace: 'AWS/Lambda',
        metricName: 'IteratorAge',
        dimensions: { FunctionName: functionName },
        statistic: 'Maximum',
        comparison: 'GreaterThanThreshold',
        threshold: settings.iteratorAgeSeconds * 1000,
        evaluationPeriods: 3,
      });
    }
    for (const [role, queueName] of Object.entries(args.onFailureQueueNames)) {
      this.alarm(`${name}-${role}-parked-records`, {
        description: `The ${role} gave up on stream records: they wait in its on-failure queue (replay them)`,
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: queueName },
        statistic: 'Maximum',
        comparison: 'GreaterThanThreshold',
        threshold: 0,
      });
    }

    const domain = { DomainName: args.domainName, ClientId: args.accountId };
    this.alarm(`${name}-cluster-red`, {
      description: 'OpenSearch cluster status is red: at least one primary shard is unassigned',
      namespace: 'AWS/ES',
      metricName: 'ClusterStatus.red',
      dimensions: domain,
      statistic: 'Maximum',
      comparison: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
    });
    this.alarm(`${name}-cluster-yellow`, {
      description: 'OpenSearch cluster status is yellow: replica shards are unassigned',
      namespace: 'AWS/ES',
      metricName: 'ClusterStatus.yellow',
      dimensions: domain,
      statistic: 'Maximum',
      comparison: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
      evaluationPeriods: 5,
    });
    this.alarm(`${name}-free-storage`, {
      description: `A data node has under ${settings.freeStorageGiB} GiB free`,
      namespace: 'AWS/ES',
      metricName: 'FreeStorageSpace',
      dimensions: domain,
      statistic: 'Minimum',
      comparison: 'LessThanThreshold',
      // FreeStorageSpace is reported in MiB.
      threshold: settings.freeStorageGiB * 1024,
    });
    this.alarm(`${name}-jvm-pressure`, {
      description: `JVM memory pressure is over ${settings.jvmPressurePercent}% on a data node`,
      namespace: 'AWS/ES',
      metricName: 'JVMMemoryPressure',
      dimensions: domain,
      statistic: 'Maximum',
      comparison: 'GreaterThanThreshold',
      threshold: settings.jvmPressurePercent,
      evaluationPeriods: 3,
    });

    if (settings.quietAccountHours > 0) {
      for (const account of settings.quietAccountIds) {
        this.alarm(`${name}-quiet-${account}`, {
          description: `Account ${account} has sent no log events for ${settings.quietAccountHours} h`,
          namespace: args.metricsNamespace,
          metricName: 'AccountEvents',
          dimensions: { Service: 'indexer', Account: account },
          statistic: 'Sum',
          comparison: 'LessThanThreshold',
          threshold: 1,
          periodSeconds: 3600,
          evaluationPeriods: settings.quietAccountHours,
          // No data is exactly what "quiet" means.
          missingData: 'breaching',
        });
      }
    }
    this.registerOutputs({ topicArn: this.topic.arn });
  }

  private alarm(name: string, spec: AlarmSpec): void {
    this.alarms.push(
      new aws.cloudwatch.MetricAlarm(
        name,
        {
          alarmDescription: spec.description,
          namespace: spec.namespace,
          metricName: spec.metricName,
          dimensions: spec.dimensions,
          statistic: spec.statistic,
          comparisonOperator: spec.comparison,
          threshold: spec.threshold,
          period: spec.periodSeconds ?? 300,
          evaluationPeriods: spec.evaluationPeriods ?? 1,
          treatMissingData: spec.missingData ?? 'notBreaching',
          alarmActions: [this.topic.arn],
          okActions: [this.topic.arn],
        },
        { parent: this },
      ),
    );
  }
}
