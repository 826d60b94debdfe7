// The indexer's public API: used by the Lambda handler, replay, the dashboards app (templates)
// and the local pipeline. Handlers and CLIs are entry points, not exports.
export {
  bulkIndex,
  chunkByBytes,
  DEFAULT_BULK_OPTIONS,
  type BulkOptions,
  type IndexItem,
  type IndexOutcome,
  type ItemFailure,
} from './bulk.ts';
export { createOpenSearchClient } from './client.ts';
export {
  IndexerConfigError,
  indexerConfigFromEnv,
  openSearchConfigFromEnv,
  type IndexerConfig,
  type OpenSearchAuth,
  type OpenSearchConfig,
} from './config.ts';
export {
  deadLetterBody,
  deadLetterKey,
  fileDeadLetterSink,
  s3DeadLetterSink,
  type DeadLetter,
  type DeadLetterSink,
} from './dead-letter.ts';
export {
  indexKinesisEvent,
  type BatchSummary,
  type KinesisBatchResponse,
  type KinesisIndexerDeps,
} from './kinesis.ts';
export {
  buildTemplates,
  DEFAULT_INDEX_PREFIX,
  ensureTemplates,
  indexNameFor,
  TemplateError,
  type TemplateOptions,
  type TemplateReport,
  type TemplateSet,
} from './templates.ts';
export { backoffDelay, retryability, type Failure, type Retryability } from './retry.ts';
