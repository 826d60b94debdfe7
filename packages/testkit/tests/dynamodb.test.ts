// One real DynamoDB Local for the file (about 2.5 s to start), exercised with plain HTTP calls (the
// testkit has no DynamoDB client) on what the alerts package relies on: conditional writes, ADD to a
// string set, a GSI query, TTL settings. Plus the failure messages of a start that cannot succeed.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DYNAMODB_JAVA_MISSING,
  dynamoDbClientConfig,
  fetchDynamoDbLocal,
  MissingPrerequisiteError,
  setupDynamoDb,
  startDynamoDb,
  useDynamoDb,
  type DynamoDbServer,
} from '../src/index.ts';
import { freePort } from '../src/ports.ts';

const packageDir = dirname(import.meta.dirname);
const TABLE = 'alerts-testkit';

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * One DynamoDB JSON-protocol call. DynamoDB Local needs an Authorization header but checks no
 * signature; its credential scope picks the database (irrelevant with -sharedDb, tested below).
 */
async function call(
  endpoint: string,
  operation: string,
  input: unknown,
  scope = 'local/20260101/us-east-1',
): Promise<Answer> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${operation}`,
      authorization: `AWS4-HMAC-SHA256 Credential=${scope}/dynamodb/aws4_request, SignedHeaders=host, Signature=00`,
    },
    body: JSON.stringify(input),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function ok(endpoint: string, operation: string, input: unknown): Promise<Record<string, unknown>> {
  const answer = await call(endpoint, operation, input);
  if (answer.status !== 200)
    throw new Error(`${operation}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

describe('DynamoDB Local', () => {
  let server: DynamoDbServer;

  beforeAll(async () => {
    server = await startDynamoDb();
    await ok(server.endpoint, 'CreateTable', {
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'rule', AttributeType: 'S' },
        { AttributeName: 'firedAt', AttributeType: 'N' },
      ],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byRule',
          KeySchema: [
            { AttributeName: 'rule', KeyType: 'HASH' },
            { AttributeName: 'firedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
  }, 30_000);

  it('runs on localhost and hands out the client configuration for it', () => {
    expect(server.external).toBe(false);
    expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.clientConfig).toEqual({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    expect(dynamoDbClientConfig(server.endpoint)).toEqual(server.clientConfig);
  });

  it('rejects the second of two conditional puts of the same key', async () => {
    const put = {
      TableName: TABLE,
      Item: { pk: { S: 'alert#1' }, rule: { S: 'ssh-brute-force' }, firedAt: { N: '1000' } },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
    expect((await call(server.endpoint, 'PutItem', put)).status).toBe(200);
    const second = await call(server.endpoint, 'PutItem', put);
    expect(second.status).toBe(400);
    expect(second.body['__type']).toMatch(/#ConditionalCheckFailedException$/);
  });

  it('ADDs to a string set idempotently and returns the new item', async () => {
    const add = (member: string): Promise<Record<string, unknown>> =>
      ok(server.endpoint, 'UpdateItem', {
        TableName: TABLE,
        Key: { pk: { S: 'alert#1' } },
        UpdateExpression: 'ADD notified :member',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':member': { SS: [member] } },
        ReturnValues: 'ALL_NEW',
      });
    const first = await add('slack');
    expect(first['Attributes']).toMatchObject({ notified: { SS: ['slack'] } });
    const again = await add('slack');
    expect(again['Attributes']).toEqual(first['Attributes']);
    const other = (await add('email'))['Attributes'] as { notified: { SS: string[] } };
    expect(other.notified.SS.sort()).toEqual(['email', 'slack']);

    // The condition also guards updates: no upsert of an alert that was never put.
    const missing = await call(server.endpoint, 'UpdateItem', {
      TableName: TABLE,
      Key: { pk: { S: 'alert#never' } },
      UpdateExpression: 'ADD notified :member',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':member': { SS: ['slack'] } },
    });
    expect(missing.status).toBe(400);
    expect(missing.body['__type']).toMatch(/#ConditionalCheckFailedException$/);
  });

  it('queries a global secondary index in sort-key order', async () => {
    for (const [pk, firedAt] of [
      ['alert#2', '3000'],
      ['alert#3', '2000'],
    ] as const) {
      await ok(server.endpoint, 'PutItem', {
        TableName: TABLE,
        Item: { pk: { S: pk }, rule: { S: 'ssh-brute-force' }, firedAt: { N: firedAt } },
      });
    }
    const result = await ok(server.endpoint, 'Query', {
      TableName: TABLE,
      IndexName: 'byRule',
      KeyConditionExpression: '#rule = :rule AND firedAt >= :since',
      ExpressionAttributeNames: { '#rule': 'rule' },
      ExpressionAttributeValues: { ':rule': { S: 'ssh-brute-force' }, ':since': { N: '1500' } },
      ScanIndexForward: false,
    });
    const items = result['Items'] as { pk: { S: string } }[];
    expect(items.map((item) => item.pk.S)).toEqual(['alert#2', 'alert#3']);
  });

  it('accepts a TTL attribute (but, being local, never expires items)', async () => {
    await ok(server.endpoint, 'UpdateTimeToLive', {
      TableName: TABLE,
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    const described = await ok(server.endpoint, 'DescribeTimeToLive', { TableName: TABLE });
    expect(described['TimeToLiveDescription']).toEqual({
      AttributeName: 'expiresAt',
      TimeToLiveStatus: 'ENABLED',
    });
  });

  it('shows the same tables to every region and access key (-sharedDb)', async () => {
    const elsewhere = await call(server.endpoint, 'ListTables', {}, 'AKIAOTHER/20260101/eu-west-1');
    expect(elsewhere).toEqual({ status: 200, body: { TableNames: [TABLE] } });
  });

  it('stands back for DYNAMODB_ENDPOINT: uses that server and never stops it', async () => {
    vi.stubEnv('DYNAMODB_ENDPOINT', `${server.endpoint}/`);
    try {
      const used = await useDynamoDb();
      expect(used).toMatchObject({ endpoint: server.endpoint, external: true });
      expect(used.clientConfig).toEqual(server.clientConfig);

      const provided = new Map<string, string>();
      const teardown = await setupDynamoDb({ provide: (key, value) => void provided.set(key, value) });
      expect(provided.get('dynamodbEndpoint')).toBe(server.endpoint);
      await teardown();
      await used.stop();
      // Still up: neither stop() nor the teardown touched a server they did not start.
      expect((await call(server.endpoint, 'ListTables', {})).status).toBe(200);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('setupDynamoDb starts its own server, provides it and stops it in the teardown', async () => {
    const provided = new Map<string, string>();
    const teardown = await setupDynamoDb({ provide: (key, value) => void provided.set(key, value) });
    const endpoint = provided.get('dynamodbEndpoint') ?? '';
    expect(endpoint).not.toBe(server.endpoint);
    expect(await call(endpoint, 'ListTables', {})).toEqual({ status: 200, body: { TableNames: [] } });
    await teardown();
    await expect(fetch(endpoint)).rejects.toThrow();
  }, 120_000);

  it('stops: the port closes, and stopping again is a no-op', async () => {
    await server.stop();
    await expect(fetch(server.endpoint)).rejects.toThrow();
    await server.stop();
  }, 30_000);
});

describe('DynamoDB Local that cannot start', () => {
  it('fails with the reason and its last output when the port is taken', async () => {
    const port = await freePort('0.0.0.0');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '0.0.0.0', resolve));
    try {
      await expect(startDynamoDb({ port })).rejects.toThrow(
        new RegExp(
          `at http://127\\.0\\.0\\.1:${port} exited \\(exit code 1\\) before it answered ListTables ` +
            `\\(port ${port} is in use\\): java\\.net\\.BindException: Address already in use\\n` +
            'Its last output:\\n[^]*Failed to bind',
        ),
      );
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('fails with its output when the JVM exits at once (an install dir without the jars)', async () => {
    const installDir = await mkdtemp(join(tmpdir(), 'testkit-dynamodb-empty-'));
    try {
      await expect(startDynamoDb({ installDir })).rejects.toThrow(
        /exited \(exit code 1\) before it answered ListTables: java\.lang\.ClassNotFoundException: [\w.]+\.ServerRunner\nIts last output:\n {2}Error: Could not find or load main class/,
      );
    } finally {
      await rm(installDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('says DYNAMODB_ENDPOINT is not reachable', async () => {
    const port = await freePort();
    await expect(useDynamoDb({ env: { DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}` } })).rejects.toThrow(
      `DYNAMODB_ENDPOINT=http://127.0.0.1:${port} is not reachable: ECONNREFUSED`,
    );
  });
});

describe('DynamoDB Local prerequisites', () => {
  it('names the Java to install (or DYNAMODB_ENDPOINT), before anything is downloaded', async () => {
    const error = startDynamoDb({ env: { PATH: '' } });
    await expect(error).rejects.toBeInstanceOf(MissingPrerequisiteError);
    await expect(error).rejects.toThrow(DYNAMODB_JAVA_MISSING);
    expect(DYNAMODB_JAVA_MISSING).toMatch(/apt-get install openjdk-17-jre-headless.*DYNAMODB_ENDPOINT/);
  });

  it('names Maven (or DYNAMODB_ENDPOINT) when it has to download and there is no mvn', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'testkit-cache-'));
    try {
      const error = fetchDynamoDbLocal({ version: '2.0.99', cacheDir, env: { PATH: '' } });
      await expect(error).rejects.toBeInstanceOf(MissingPrerequisiteError);
      await expect(error).rejects.toThrow(/needs Maven \(apt-get install maven\).*DYNAMODB_ENDPOINT/);
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });

  it('refuses a version that is not x.y.z', async () => {
    await expect(fetchDynamoDbLocal({ version: 'latest' })).rejects.toThrow(/not of the form 2\.6\.1/);
  });

  it('`dynamodb fetch` warns but succeeds without Maven and Java, so setup.sh goes on', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/dynamodb.ts', 'fetch'], {
      cwd: packageDir,
      env: { PATH: dirname(process.execPath), DYNAMODB_LOCAL_VERSION: '2.0.99' },
      encoding: 'utf8',
    });
    expect(result.stderr).toContain('WARNING: fetching DynamoDB Local 2.0.99 needs Maven');
    expect(result.stderr).toContain(
      'tests that use DynamoDB will fail until Java 17 and Maven are installed',
    );
    expect(result.status).toBe(0);
  });
});
