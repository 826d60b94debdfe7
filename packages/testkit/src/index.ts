// The testkit's public API: real local stand-ins for the AWS services the packages talk to.
export {
  connectDynamoDb,
  DEFAULT_DYNAMODB_LOCAL_VERSION,
  DYNAMODB_JAVA_MISSING,
  dynamoDbClientConfig,
  fetchDynamoDbLocal,
  startDynamoDb,
  useDynamoDb,
  type DynamoDbClientConfig,
  type DynamoDbServer,
  type FetchDynamoDbLocalOptions,
  type StartDynamoDbOptions,
} from './dynamodb.ts';
export { MissingPrerequisiteError, TestkitError } from './errors.ts';
export {
  connectOpenSearch,
  DEFAULT_OPENSEARCH_VERSION,
  fetchOpenSearch,
  startOpenSearch,
  useOpenSearch,
  type FetchOpenSearchOptions,
  type OpenSearchNode,
  type StartOpenSearchOptions,
} from './opensearch.ts';
export { findJava, JAVA_MISSING, type JavaInstallation } from './java.ts';
export { startS3, type S3Server, type StartS3Options } from './s3.ts';
export {
  restartOpenSearch,
  serveOpenSearchControl,
  setupDynamoDb,
  setupOpenSearch,
  type OpenSearchControl,
} from './vitest.ts';
