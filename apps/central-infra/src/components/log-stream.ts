import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { CentralConfig } from '../config.ts';

export interface LogStreamArgs {
  readonly settings: CentralConfig['stream'];
  readonly kmsKeyArn: pulumi.Input<string>;
}

/**
 * The Kinesis Data Stream every destination writes to and three consumers read (Firehose, indexer,
 * alerts). On-demand scales itself; provisioned takes the shard count computed from the peak.
 */
export class LogStream extends pulumi.ComponentResource {
  readonly stream: aws.kinesis.Stream;
  readonly arn: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: LogStreamArgs, opts?: pulumi.ComponentResourceOptions) {
    super('logging:central:LogStream', name, {}, opts);
    const { settings } = args;
    this.stream = new aws.kinesis.Stream(
      `${name}-stream`,
      {
        retentionPeriod: settings.retentionHours,
        encryptionType: 'KMS',
        kmsKeyId: args.kmsKeyArn,
        streamModeDetails: { streamMode: settings.mode },
        shardCount: settings.mode === 'PROVISIONED' ? settings.shardCount : undefined,
        // Per-shard metrics show a hot partition key before it throttles.
        shardLevelMetrics: ['IncomingBytes', 'IncomingRecords', 'WriteProvisionedThroughputExceeded'],
      },
      { parent: this },
    );
    this.arn = this.stream.arn;
    this.name = this.stream.name;
    this.registerOutputs({ arn: this.arn });
  }
}
