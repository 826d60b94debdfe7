// Vitest glue: one OpenSearch node and/or one DynamoDB Local per test run, started in globalSetup
// (the main process) and shared with the test files (worker processes) through provide/inject.
import { createServer, type Server } from 'node:http';
import type { TestProject } from 'vitest/node';
import { useDynamoDb, type StartDynamoDbOptions } from './dynamodb.ts';
import { TestkitError } from './errors.ts';
import { useOpenSearch, type OpenSearchNode, type StartOpenSearchOptions } from './opensearch.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared node's base URL (OPENSEARCH_URL's, credentials included, when that is set). */
    opensearchUrl: string;
    /** The control server through which a test asks the main process to restart the node. */
    opensearchControlUrl: string;
    /** The shared DynamoDB-API server (DYNAMODB_ENDPOINT's when set); see dynamoDbClientConfig. */
    dynamodbEndpoint: string;
  }
}

/**
 * A vitest globalSetup: starts OpenSearch once (or uses OPENSEARCH_URL), provides `opensearchUrl`
 * and `opensearchControlUrl` to the tests, and returns the teardown that stops it. Use it as the
 * default export of a globalSetup file:
 *
 *     export { setupOpenSearch as default } from '@central-logging/testkit';
 */
export async function setupOpenSearch(
  project: Pick<TestProject, 'provide'>,
  options: StartOpenSearchOptions = {},
): Promise<() => Promise<void>> {
  const node = await useOpenSearch(options);
  let control: OpenSearchControl;
  try {
    control = await serveOpenSearchControl(node);
  } catch (error) {
    await node.stop();
    throw error;
  }
  project.provide('opensearchUrl', node.url);
  project.provide('opensearchControlUrl', control.url);
  return async () => {
    await control.close();
    await node.stop();
  };
}

/**
 * A vitest globalSetup: starts DynamoDB Local once (or uses DYNAMODB_ENDPOINT), provides
 * `dynamodbEndpoint` to the tests, and returns the teardown that stops it. Independent of
 * setupOpenSearch: a globalSetup file may export either, or call both.
 *
 *     export { setupDynamoDb as default } from '@central-logging/testkit';
 */
export async function setupDynamoDb(
  project: Pick<TestProject, 'provide'>,
  options: StartDynamoDbOptions = {},
): Promise<() => Promise<void>> {
  const server = await useDynamoDb(options);
  project.provide('dynamodbEndpoint', server.endpoint);
  return () => server.stop();
}

export interface OpenSearchControl {
  /** e.g. http://127.0.0.1:41234; POST /restart restarts the node. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A small HTTP server on localhost that restarts `node` on `POST /restart`, answering once the
 * node is healthy again (200) or with the error message (409 for an external cluster, else 500).
 * Test files run in worker processes and cannot reach the node object in the main process.
 */
export async function serveOpenSearchControl(node: OpenSearchNode): Promise<OpenSearchControl> {
  const server = createServer((request, response) => {
    request.resume();
    if (request.method !== 'POST' || request.url !== '/restart') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('only POST /restart is served here\n');
      return;
    }
    node.restart().then(
      () => response.writeHead(200, { 'content-type': 'text/plain' }).end('restarted\n'),
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        response.writeHead(node.external ? 409 : 500, { 'content-type': 'text/plain' }).end(message);
      },
    );
  });
  // A restart takes longer than Node's default request timeouts allow for a quiet connection.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  await listen(server);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new TestkitError('control server has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
}

/**
 * From a test: restarts the run's shared OpenSearch node (same URL, same data) and resolves once it
 * is healthy again. Other test files using the node meanwhile see it go away, so keep restart tests
 * in files that can tolerate that. Rejects for an external cluster (OPENSEARCH_URL).
 */
export async function restartOpenSearch(controlUrl?: string): Promise<void> {
  // Imported here, not at the top: this module is also loaded in vitest's main process (globalSetup),
  // where inject() has no test context.
  const url = controlUrl ?? (await import('vitest')).inject('opensearchControlUrl');
  if (url === undefined) {
    throw new TestkitError(
      'no opensearchControlUrl was provided: add a globalSetup file that exports setupOpenSearch',
    );
  }
  const response = await fetch(`${url}/restart`, { method: 'POST' });
  const body = await response.text();
  if (!response.ok) throw new TestkitError(`restarting OpenSearch failed: ${body}`);
}
