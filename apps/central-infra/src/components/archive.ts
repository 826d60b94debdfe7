import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { input } from '@pulumi/aws/types';
import type { CentralConfig, FunctionSettings } from '../config.ts';
import { policyJson, serviceTrust } from '../policy-document.ts';
import { archiveBucketPolicy, firehoseRolePolicy } from './archive.policies.ts';
import { PipelineFunction } from './pipeline-function.ts';
import { SecureBucket } from './secure-bucket.ts';

/** Where Firehose writes: the decoder's partition keys, which `pnpm replay` reads back. */
export const ARCHIVE_PREFIX =
  'archive/account=!{partitionKeyFromLambda:account}/dataset=!{partitionKeyFromLambda:dataset}/!{partitionKeyFromLambda:date}/';
/** Records the decoder refused (`ProcessingFailed`), kept byte for byte for replay. */
export const ERROR_PREFIX = 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/';
/** The indexer's dead letters (documents OpenSearch refused), in the same bucket. */
export const DEAD_LETTER_PREFIX = 'dead-letter/indexer/';

export interface ArchiveArgs {
  readonly accountId: string;
  readonly homeRegion: string;
  readonly organizationId: string;
  readonly settings: CentralConfig['archive'];
  readonly processorName: string;
  readonly processor: FunctionSettings;
  readonly deliveryStreamName: string;
  readonly logRetentionDays: number;
  readonly streamArn: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
}

/**
 * The S3 archive and the Firehose that fills it: stream → decoder Lambda (transformation) →
 * gzip NDJSON under `account=/dataset=/yyyy/MM/dd/`, refused records under the error prefix.
 */
export class Archive extends pulumi.ComponentResource {
  readonly bucket: SecureBucket;
  readonly deliveryStream: aws.kinesis.FirehoseDeliveryStream;
  readonly processor: PipelineFunction;
  /** The processor's and Firehose's own log groups. */
  readonly logGroupNames: pulumi.Output<string>[];

  constructor(name: string, args: ArchiveArgs, opts?: pulumi.ComponentResourceOptions) {
    super('logging:central:Archive', name, {}, opts);
    const { settings } = args;
    this.bucket = new SecureBucket(
      `${name}-bucket`,
      {
        kmsKeyArn: args.kmsKeyArn,
        lifecycleRules: archiveLifecycle(settings),
        objectLock: settings.objectLock,
      },
      { parent: this },
    );
    new aws.s3.BucketPolicy(
      `${name}-bucket-policy`,
      {
        bucket: this.bucket.bucket.id,
        policy: this.bucket.arn.apply((arn) =>
          policyJson(archiveBucketPolicy(arn, args.organizationId, args.accountId)),
        ),
      },
      { parent: this, dependsOn: [this.bucket.publicAccessBlock] },
    );

    this.processor = new PipelineFunction(
      `${name}-processor`,
      {
        accountId: args.accountId,
        functionName: args.processorName,
        bundle: 'firehoseProcessor',
        settings: args.processor,
        // gzip members: Firehose concatenates them into valid .json.gz objects (decoder README).
        environment: { FIREHOSE_OUTPUT_COMPRESSION: 'gzip' },
        logRetentionDays: args.logRetentionDays,
        kmsKeyArn: args.kmsKeyArn,
        statements: [],
      },
      { parent: this },
    );

    const deliveryLogs = new aws.cloudwatch.LogGroup(
      `${name}-delivery-logs`,
      {
        name: `/aws/kinesisfirehose/${args.deliveryStreamName}`,
        retentionInDays: args.logRetentionDays,
        kmsKeyId: args.kmsKeyArn,
      },
      { parent: this },
    );
    const deliveryLogStream = new aws.cloudwatch.LogStream(
      `${name}-delivery-log-stream`,
      { name: 'DestinationDelivery', logGroupName: deliveryLogs.name },
      { parent: this },
    );

    const role = new aws.iam.Role(
      `${name}-firehose-role`,
      { assumeRolePolicy: policyJson(serviceTrust('firehose.amazonaws.com', args.accountId)) },
      { parent: this },
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-firehose-access`,
      {
        role: role.name,
        policy: pulumi
          .all([
            args.streamArn,
            this.bucket.arn,
            args.kmsKeyArn,
            this.processor.function.arn,
            deliveryLogStream.arn,
          ])
          .apply(([streamArn, bucketArn, keyArn, processorArn, logStreamArn]) =>
            policyJson(
              firehoseRolePolicy({
                streamArn,
                bucketArn,
                keyArn,
                processorArn,
                logStreamArn,
                homeRegion: args.homeRegion,
              }),
            ),
          ),
      },
      { parent: this },
    );

    this.deliveryStream = new aws.kinesis.FirehoseDeliveryStream(
      `${name}-firehose`,
      {
        name: args.deliveryStreamName,
        destination: 'extended_s3',
        // The stream is KMS-encrypted; Firehose's own server-side encryption applies only to
        // Direct PUT sources, so the archive is encrypted by the S3 destination's key below.
        kinesisSourceConfiguration: { kinesisStreamArn: args.streamArn, roleArn: role.arn },
        extendedS3Configuration: {
          roleArn: role.arn,
          bucketArn: this.bucket.arn,
          prefix: ARCHIVE_PREFIX,
          errorOutputPrefix: ERROR_PREFIX,
          // The decoder already gzips each record; S3-side compression would wrap it twice.
          compressionFormat: 'UNCOMPRESSED',
          fileExtension: '.json.gz',
          kmsKeyArn: args.kmsKeyArn,
          bufferingSize: settings.bufferSizeMiB,
          bufferingInterval: settings.bufferIntervalSeconds,
          dynamicPartitioningConfiguration: { enabled: true, retryDuration: 300 },
          processingConfiguration: {
            enabled: true,
            processors: [
              {
                type: 'Lambda',
                parameters: [
                  {
                    parameterName: 'LambdaArn',
                    parameterValue: pulumi.interpolate`${this.processor.function.arn}:$LATEST`,
                  },
                  ...processorBuffering(settings),
                ],
              },
            ],
          },
          cloudwatchLoggingOptions: {
            enabled: true,
            logGroupName: deliveryLogs.name,
            logStreamName: deliveryLogStream.name,
          },
        },
      },
      // Firehose checks its role's permissions on the stream when it is created.
      { parent: this, dependsOn: [rolePolicy] },
    );
    this.logGroupNames = [this.processor.logGroup.name, deliveryLogs.name];
    this.registerOutputs({ bucket: this.bucket.name, deliveryStream: this.deliveryStream.name });
  }
}

/**
 * The processor's buffering parameters that differ from Firehose's defaults (1 MB, 60 s; its
 * default of 3 retries is what the archive wants, so NumberOfRetries is never sent either). The
 * provider keeps no parameter equal to its default in state: sending one shows a diff on every
 * preview.
 */
function processorBuffering(
  settings: CentralConfig['archive'],
): input.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationProcessingConfigurationProcessorParameter[] {
  return [
    { name: 'BufferSizeInMBs', value: String(settings.processorBufferMiB), awsDefault: '1' },
    { name: 'BufferIntervalInSeconds', value: String(settings.processorIntervalSeconds), awsDefault: '60' },
  ]
    .filter((parameter) => parameter.value !== parameter.awsDefault)
    .map((parameter) => ({ parameterName: parameter.name, parameterValue: parameter.value }));
}

/** Standard → Glacier Instant Retrieval → Glacier Flexible Retrieval → Deep Archive → expiry. */
export function archiveLifecycle(
  settings: CentralConfig['archive'],
): input.s3.BucketLifecycleConfigurationRule[] {
  const transitions = [
    { days: settings.glacierInstantDays, storageClass: 'GLACIER_IR' },
    { days: settings.glacierFlexibleDays, storageClass: 'GLACIER' },
    { days: settings.deepArchiveDays, storageClass: 'DEEP_ARCHIVE' },
  ].filter((t) => t.days > 0);
  return [
    {
      id: 'archive-tiers',
      status: 'Enabled',
      filter: {},
      transitions,
      expiration: settings.expireDays > 0 ? { days: settings.expireDays } : undefined,
      noncurrentVersionExpiration: { noncurrentDays: settings.noncurrentExpireDays },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
    },
  ];
}
