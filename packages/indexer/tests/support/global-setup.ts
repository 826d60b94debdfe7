// The run's OpenSearch node: see packages/testkit (fetch from Maven Central, start, stop).
export { setupOpenSearch as default } from '@central-logging/testkit';
