import { keyUse, type Statement } from '../policy-document.ts';

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
  const { keyArn, homeRegion: region } = inputs;
  const statements: Statement[] = [
    {
      Sid: 'AlertState',
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
      Resource: [inputs.tableArn, `${inputs.tableArn}/index/*`],
    },
    keyUse('AlertStateKey', keyArn, { service: 'dynamodb', region }, ['kms:Decrypt', 'kms:GenerateDataKey']),
    { Sid: 'PublishAlerts', Effect: 'Allow', Action: 'sns:Publish', Resource: inputs.topicArn },
    keyUse('PublishAlertsKey', keyArn, { service: 'sns', region }, ['kms:Decrypt', 'kms:GenerateDataKey']),
  ];
  if (inputs.secretArn !== undefined) {
    statements.push(
      {
        Sid: 'ReadSlackWebhook',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: inputs.secretArn,
      },
      keyUse('ReadSlackWebhookKey', keyArn, { service: 'secretsmanager', region }, ['kms:Decrypt']),
    );
  }
  return statements;
}
