// The decoder's public API. Handlers and CLIs are entry points, not exports.
export { createDecoder, type Decoder, type DecodeStats, type PayloadResult } from './decoder.ts';
export {
  DecoderConfigError,
  resolveOptions,
  type DecoderOptions,
  type FlowLogFormatOption,
  type LogGroupSourceOption,
  type ResolvedOptions,
} from './options.ts';
export {
  decoderOptionsFromEnv,
  firehoseProcessorConfigFromEnv,
  type FirehoseProcessorConfig,
} from './config.ts';
export { envReader, type Env, type EnvReader } from './env.ts';
export { DecodeError, isDecodeError, type DecodeErrorReason } from './errors.ts';
export { decodeBase64, decompress, detectCompression, decodeUtf8, type Compression } from './decompress.ts';
export {
  validateSubscriptionMessage,
  type ControlMessage,
  type DataMessage,
  type SubscriptionLogEvent,
  type SubscriptionMessage,
} from './envelope/cloudwatch-subscription.ts';
export {
  decodeKinesisEvent,
  type KinesisRecordResult,
  type KinesisStreamEvent,
  type RecordCoordinates,
} from './envelope/kinesis.ts';
export { decodeAwslogsEvent, type AwslogsEvent } from './envelope/awslogs.ts';
export { validateArchivedDocument } from './envelope/archive.ts';
export { decodeInput, decodeInputLine, type InputItem } from './envelope/any-input.ts';
export {
  DEFAULT_LOG_GROUP_RULES,
  SOURCES,
  sourceForContent,
  sourceForLogGroup,
  type LogGroupRule,
  type Source,
} from './detect.ts';
export {
  DEFAULT_RESPONSE_LIMIT_BYTES,
  ndjsonBase64,
  ndjsonBuffer,
  partitionKeysOf,
  transformFirehoseEvent,
  type FailureReason,
  type FirehoseInputRecord,
  type FirehoseOutputRecord,
  type FirehoseResult,
  type FirehoseTransformationEvent,
  type FirehoseTransformationResponse,
  type OutputCompression,
  type PartitionKeys,
  type TransformOptions,
  type TransformSummary,
} from './firehose/transform.ts';
export { DEFAULT_FLOW_LOG_FORMAT, parseFlowLogFormat, type FlowLogFormat } from './parse/vpc-flow-log.ts';
export { createLogger, levelFromEnv, type Level, type Logger } from './logger.ts';
export { emfLine } from './metrics.ts';
export { backoffDelay, forEachConcurrently } from './backoff.ts';
