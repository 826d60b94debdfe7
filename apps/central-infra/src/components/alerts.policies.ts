import type { Statement } from '../policy-document.ts';

export interface AlertsAccessInputs {
  readonly tableArn: string;
  readonly topicArn: string;
  readonly secretArn: string | undefined;
  readonly keyArn: string;
  readonly homeRegion: string;
}

/**
 * The alerts function keeps window, dedup and delivery state in its table, publishes to its topic
 * and reads the Slack webhook from its secret; each through the pipeline key's service path.
 */
export function alertsStatements(inputs: AlertsAccessInputs): Statement[] {
  const via = (service: string) => ({
    StringEquals: { 'kms:ViaService': `${service}.${inputs.homeRegion}.amazonaws.com` },
  });
  const statements: Statement[] = [
    {
      Sid: 'AlertState',
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
      Resource: [inputs.tableArn, `${inputs.tableArn}/index/*`],
    },
    {
      Sid: 'AlertStateKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: inputs.keyArn,
      Condition: via('dynamodb'),
    },
    { Sid: 'PublishAlerts', Effect: 'Allow', Action: 'sns:Publish', Resource: inputs.topicArn },
    {
      Sid: 'PublishAlertsKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: inputs.keyArn,
      Condition: via('sns'),
    },
  ];
  if (inputs.secretArn !== undefined) {
    statements.push(
      {
        Sid: 'ReadSlackWebhook',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: inputs.secretArn,
      },
      {
        Sid: 'ReadSlackWebhookKey',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: inputs.keyArn,
        Condition: via('secretsmanager'),
      },
    );
  }
  return statements;
}
