// The run's DynamoDB Local (see packages/testkit: fetched from Maven Central, started, stopped).
export { setupDynamoDb as default } from '@central-logging/testkit';
