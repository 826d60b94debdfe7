import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { bundleArchive, type BundleName } from '../bundles.ts';
import type { FunctionSettings, StreamConsumerSettings } from '../config.ts';
import { policy, policyJson, serviceTrust, type Statement } from '../policy-document.ts';
import { functionLogging, VPC_ACCESS } from './pipeline-function.policies.ts';

/** The Lambda runtime of every pipeline function (the bundles target Node.js 22). */
export const RUNTIME = 'nodejs22.x';

export interface PipelineFunctionArgs {
  readonly accountId: string;
  /** Explicit, stable function name: its log group is excluded from subscriptions by name. */
  readonly functionName: string;
  readonly bundle: BundleName;
  readonly settings: FunctionSettings;
  readonly environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
  readonly logRetentionDays: number;
  readonly kmsKeyArn: pulumi.Input<string>;
  /** The function's own permissions beyond its log group, as resolved statements. */
  readonly statements: pulumi.Input<readonly Statement[]>;
  readonly vpc?: {
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    readonly securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
  };
}

/**
 * One pipeline Lambda from its built bundle: arm64, its own least-privilege role, and a log group
 * the program owns (retention, KMS) instead of one Lambda would create without either.
 */
export class PipelineFunction extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly rolePolicy: aws.iam.RolePolicy;

  constructor(name: string, args: PipelineFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super('logging:central:PipelineFunction', name, {}, opts);
    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        name: `/aws/lambda/${args.functionName}`,
        retentionInDays: args.logRetentionDays,
        kmsKeyId: args.kmsKeyArn,
      },
      { parent: this },
    );
    this.role = new aws.iam.Role(
      `${name}-role`,
      { assumeRolePolicy: policyJson(serviceTrust('lambda.amazonaws.com', args.accountId)) },
      { parent: this },
    );
    this.rolePolicy = new aws.iam.RolePolicy(
      `${name}-access`,
      {
        role: this.role.name,
        policy: pulumi
          .all([this.logGroup.arn, args.statements])
          .apply(([logGroupArn, statements]) =>
            policyJson(
              policy(functionLogging(logGroupArn), ...(args.vpc ? [VPC_ACCESS] : []), ...statements),
            ),
          ),
      },
      { parent: this },
    );
    this.function = new aws.lambda.Function(
      `${name}-function`,
      {
        name: args.functionName,
        runtime: RUNTIME,
        architectures: ['arm64'],
        handler: 'index.handler',
        code: bundleArchive(args.bundle),
        role: this.role.arn,
        memorySize: args.settings.memoryMiB,
        timeout: args.settings.timeoutSeconds,
        environment: { variables: args.environment },
        loggingConfig: { logFormat: 'Text', logGroup: this.logGroup.name },
        vpcConfig: args.vpc
          ? { subnetIds: args.vpc.subnetIds, securityGroupIds: args.vpc.securityGroupIds }
          : undefined,
        tracingConfig: { mode: 'PassThrough' },
      },
      // The role must be able to write logs (and reach the VPC) before the first invocation.
      { parent: this, dependsOn: [this.rolePolicy, this.logGroup] },
    );
    this.registerOutputs({ functionArn: this.function.arn });
  }

  /**
   * Reads the stream through a Kinesis event source mapping with partial-batch responses, bisect on
   * error, bounded retries and record age, and an on-failure queue: a record the function keeps
   * failing is parked with its coordinates (shard, sequence numbers) instead of blocking its shard
   * until the stream expires it. Declared after the role policy: the mapping polls with the role.
   */
  consumeStream(
    name: string,
    args: StreamConsumerArgs,
    parent: pulumi.Resource,
  ): aws.lambda.EventSourceMapping {
    const { settings } = args;
    return new aws.lambda.EventSourceMapping(
      name,
      {
        functionName: this.function.arn,
        eventSourceArn: args.streamArn,
        startingPosition: settings.startingPosition,
        batchSize: settings.batchSize,
        maximumBatchingWindowInSeconds: settings.batchingWindowSeconds,
        parallelizationFactor: settings.parallelizationFactor,
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: settings.maxRetries,
        maximumRecordAgeInSeconds: settings.maxRecordAgeSeconds,
        functionResponseTypes: ['ReportBatchItemFailures'],
        destinationConfig: { onFailure: { destinationArn: args.onFailureQueueArn } },
        tumblingWindowInSeconds: args.tumblingWindowSeconds,
      },
      { parent, dependsOn: [this.rolePolicy] },
    );
  }
}

export interface StreamConsumerArgs {
  readonly streamArn: pulumi.Input<string>;
  readonly settings: StreamConsumerSettings;
  readonly onFailureQueueArn: pulumi.Input<string>;
  readonly tumblingWindowSeconds?: number;
}

/** An encrypted SQS queue for the records an event source mapping gives up on (kept 14 days). */
export function onFailureQueue(
  name: string,
  kmsKeyArn: pulumi.Input<string>,
  opts: pulumi.CustomResourceOptions,
) {
  return new aws.sqs.Queue(
    name,
    { messageRetentionSeconds: 1_209_600, kmsMasterKeyId: kmsKeyArn, kmsDataKeyReusePeriodSeconds: 3600 },
    opts,
  );
}
