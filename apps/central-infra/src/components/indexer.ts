import * as pulumi from '@pulumi/pulumi';
import type { StreamConsumerSettings } from '../config.ts';
import { indexerStatements } from './indexer.policies.ts';
import { consumerStatements } from './pipeline-function.policies.ts';
import { onFailureQueue, PipelineFunction } from './pipeline-function.ts';
import type { DomainNetwork } from './search-domain.ts';

export interface IndexerArgs {
  readonly accountId: string;
  readonly homeRegion: string;
  readonly functionName: string;
  readonly settings: StreamConsumerSettings;
  readonly logRetentionDays: number;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly streamArn: pulumi.Input<string>;
  readonly domainArn: pulumi.Input<string>;
  readonly domainEndpoint: pulumi.Input<string>;
  readonly deadLetterBucket: { readonly name: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
  readonly deadLetterPrefix: string;
  /** Emit per-account event counts (EMF) for the "account went quiet" alarms. */
  readonly metricsByAccount: boolean;
  /** Set when the domain is in a VPC: the function runs in its subnets. */
  readonly network?: DomainNetwork;
}

/**
 * The indexer Lambda on the stream: decodes each record and bulk-indexes the documents into
 * OpenSearch (event id as `_id`), reporting partial batch failures; its on-failure queue keeps
 * the coordinates of records it gave up on.
 */
export class Indexer extends pulumi.ComponentResource {
  readonly function: PipelineFunction;
  readonly roleArn: pulumi.Output<string>;
  readonly onFailureQueueName: pulumi.Output<string>;

  constructor(name: string, args: IndexerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('logging:central:Indexer', name, {}, opts);
    const queue = onFailureQueue(`${name}-on-failure`, args.kmsKeyArn, { parent: this });
    this.function = new PipelineFunction(
      `${name}-fn`,
      {
        accountId: args.accountId,
        functionName: args.functionName,
        bundle: 'indexer',
        settings: args.settings,
        environment: {
          OPENSEARCH_URL: args.domainEndpoint,
          OPENSEARCH_AUTH: 'sigv4',
          INDEX_PREFIX: 'logs',
          DEAD_LETTER_BUCKET: args.deadLetterBucket.name,
          DEAD_LETTER_PREFIX: args.deadLetterPrefix,
          METRICS_BY_ACCOUNT: String(args.metricsByAccount),
        },
        logRetentionDays: args.logRetentionDays,
        kmsKeyArn: args.kmsKeyArn,
        statements: pulumi
          .all([args.streamArn, queue.arn, args.kmsKeyArn, args.domainArn, args.deadLetterBucket.arn])
          .apply(([streamArn, queueArn, keyArn, domainArn, bucketArn]) => [
            ...consumerStatements(streamArn, queueArn, keyArn, args.homeRegion),
            ...indexerStatements({
              domainArn,
              bucketArn,
              deadLetterPrefix: args.deadLetterPrefix,
              keyArn,
              homeRegion: args.homeRegion,
            }),
          ]),
        vpc: args.network
          ? {
              subnetIds: args.network.subnetIds,
              securityGroupIds: [args.network.clientSecurityGroupId],
            }
          : undefined,
      },
      { parent: this },
    );
    this.function.consumeStream(
      `${name}-source`,
      { streamArn: args.streamArn, settings: args.settings, onFailureQueueArn: queue.arn },
      this,
    );
    this.roleArn = this.function.role.arn;
    this.onFailureQueueName = queue.name;
    this.registerOutputs({ functionArn: this.function.function.arn });
  }
}
