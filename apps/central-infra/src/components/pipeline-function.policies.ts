import { keyUse, type Statement } from '../policy-document.ts';

/** A function may write only to its own log group (it is created by the program, not by Lambda). */
export function functionLogging(logGroupArn: string): Statement {
  return {
    Sid: 'WriteOwnLogGroup',
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: `${logGroupArn}:*`,
  };
}

/**
 * Elastic network interfaces for a function placed in the VPC (what the managed
 * AWSLambdaVPCAccessExecutionRole grants; these EC2 calls cannot be scoped to resources).
 */
export const VPC_ACCESS: Statement = {
  Sid: 'NetworkInterfacesInTheVpc',
  Effect: 'Allow',
  Action: [
    'ec2:CreateNetworkInterface',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DescribeSubnets',
    'ec2:DeleteNetworkInterface',
    'ec2:AssignPrivateIpAddresses',
    'ec2:UnassignPrivateIpAddresses',
  ],
  Resource: '*',
};

/** Reading the log stream through an event source mapping (Lambda polls with the function's role). */
function streamRead(streamArn: string): Statement {
  return {
    Sid: 'ReadTheLogStream',
    Effect: 'Allow',
    Action: [
      'kinesis:DescribeStream',
      'kinesis:DescribeStreamSummary',
      'kinesis:GetRecords',
      'kinesis:GetShardIterator',
      'kinesis:ListShards',
      'kinesis:SubscribeToShard',
    ],
    Resource: streamArn,
  };
}

/**
 * A stream consumer's statements: its mapping polls the encrypted stream with the function's role
 * and parks records it gives up on in the encrypted on-failure queue.
 */
export function consumerStatements(
  streamArn: string,
  queueArn: string,
  keyArn: string,
  region: string,
): Statement[] {
  return [
    streamRead(streamArn),
    { Sid: 'OnFailureDestination', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queueArn },
    keyUse('DecryptTheStream', keyArn, { service: 'kinesis', region }, ['kms:Decrypt']),
    keyUse('EncryptForTheQueue', keyArn, { service: 'sqs', region }, ['kms:GenerateDataKey', 'kms:Decrypt']),
  ];
}
