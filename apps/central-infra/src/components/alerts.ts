import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { ALERT_TABLE } from '@central-logging/contracts';
import type { AlertsConsumerSettings, Subscription } from '../config.ts';
import { alertsStatements } from './alerts.policies.ts';
import { consumerStatements } from './pipeline-function.policies.ts';
import { onFailureQueue, PipelineFunction } from './pipeline-function.ts';

export interface AlertsArgs {
  readonly accountId: string;
  readonly homeRegion: string;
  readonly functionName: string;
  readonly settings: AlertsConsumerSettings;
  readonly logRetentionDays: number;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly streamArn: pulumi.Input<string>;
  readonly subscriptions: readonly Subscription[];
  /** Stored in Secrets Manager; the function gets the secret's ARN, never the URL. */
  readonly slackWebhookUrl: pulumi.Output<string> | undefined;
  readonly dashboardsUrl: pulumi.Input<string>;
}

/**
 * Real-time detections: the alerts Lambda on the stream, its DynamoDB state (windows, dedup,
 * pending deliveries; TTL and point-in-time recovery), the SNS topic people subscribe to, and the
 * Slack webhook in Secrets Manager.
 */
export class Alerts extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;
  readonly topic: aws.sns.Topic;
  readonly function: PipelineFunction;
  readonly onFailureQueueName: pulumi.Output<string>;

  constructor(name: string, args: AlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('logging:central:Alerts', name, {}, opts);
    // The table packages/alerts is tested against (contracts' ALERT_TABLE): pk, and the `pending`
    // index of undelivered notifications by shard and next attempt.
    const { pendingIndex } = ALERT_TABLE;
    this.table = new aws.dynamodb.Table(
      `${name}-state`,
      {
        billingMode: 'PAY_PER_REQUEST',
        hashKey: ALERT_TABLE.hashKey,
        attributes: ALERT_TABLE.attributes.map((a) => ({ name: a.name, type: a.type })),
        globalSecondaryIndexes: [
          {
            name: pendingIndex.name,
            keySchemas: [
              { attributeName: pendingIndex.hashKey, keyType: 'HASH' },
              { attributeName: pendingIndex.rangeKey, keyType: 'RANGE' },
            ],
            projectionType: pendingIndex.projection,
          },
        ],
        ttl: { attributeName: ALERT_TABLE.ttlAttribute, enabled: true },
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: args.kmsKeyArn },
        deletionProtectionEnabled: true,
      },
      { parent: this },
    );

    this.topic = new aws.sns.Topic(
      `${name}-topic`,
      { displayName: 'Central logging alerts', kmsMasterKeyId: args.kmsKeyArn },
      { parent: this },
    );
    args.subscriptions.forEach((subscription, i) => {
      new aws.sns.TopicSubscription(
        `${name}-subscription-${i}`,
        { topic: this.topic.arn, protocol: subscription.protocol, endpoint: subscription.endpoint },
        { parent: this },
      );
    });

    let secret: aws.secretsmanager.Secret | undefined;
    if (args.slackWebhookUrl) {
      secret = new aws.secretsmanager.Secret(
        `${name}-slack-webhook`,
        { description: 'Slack incoming webhook URL for alert notifications', kmsKeyId: args.kmsKeyArn },
        { parent: this },
      );
      new aws.secretsmanager.SecretVersion(
        `${name}-slack-webhook-value`,
        { secretId: secret.id, secretString: pulumi.secret(args.slackWebhookUrl) },
        { parent: this },
      );
    }

    const queue = onFailureQueue(`${name}-on-failure`, args.kmsKeyArn, { parent: this });
    const environment: Record<string, pulumi.Input<string>> = {
      ALERTS_TABLE: this.table.name,
      ALERTS_SNS_TOPIC_ARN: this.topic.arn,
      DASHBOARDS_URL: args.dashboardsUrl,
      INDEX_PREFIX: 'logs',
    };
    if (secret) environment['ALERTS_SLACK_WEBHOOK'] = secret.arn;
    this.function = new PipelineFunction(
      `${name}-fn`,
      {
        accountId: args.accountId,
        functionName: args.functionName,
        bundle: 'alerts',
        settings: args.settings,
        environment,
        logRetentionDays: args.logRetentionDays,
        kmsKeyArn: args.kmsKeyArn,
        statements: pulumi
          .all([args.streamArn, queue.arn, args.kmsKeyArn, this.table.arn, this.topic.arn, secret?.arn])
          .apply(([streamArn, queueArn, keyArn, tableArn, topicArn, secretArn]) => [
            ...consumerStatements(streamArn, queueArn, keyArn, args.homeRegion),
            ...alertsStatements({ tableArn, topicArn, secretArn, keyArn, homeRegion: args.homeRegion }),
          ]),
      },
      { parent: this },
    );
    this.function.consumeStream(
      `${name}-source`,
      {
        streamArn: args.streamArn,
        settings: args.settings,
        onFailureQueueArn: queue.arn,
        tumblingWindowSeconds: args.settings.tumblingWindowSeconds,
      },
      this,
    );
    this.onFailureQueueName = queue.name;
    this.registerOutputs({ topicArn: this.topic.arn, table: this.table.name });
  }
}
