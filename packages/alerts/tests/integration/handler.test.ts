// The built Lambda bundle (what central-infra deploys) with its bundled rule pack, configured only
// by its environment, against DynamoDB Local.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoDbClientConfig } from '@central-logging/testkit';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createAlertTable } from '../../src/state.ts';
import { fixtureLines, kinesisBatch } from '../support/documents.ts';

const bundle = new URL('../../dist/lambda/alerts/index.mjs', import.meta.url);
const endpoint = inject('dynamodbEndpoint');
const table = `alerts-bundle-${randomUUID().slice(0, 8)}`;
const savedEnv = { ...process.env };

type Handler = (
  event: unknown,
  context: { getRemainingTimeInMillis(): number; awsRequestId: string },
) => Promise<{ batchItemFailures: { itemIdentifier: string }[]; state?: Record<string, string> }>;

/** A cold start in `env` (kept set afterwards: the SDK reads some of it lazily, as in a sandbox). */
async function coldStart(env: Record<string, string>): Promise<Handler> {
  process.env = { ...savedEnv, ...env };
  return ((await import(`${bundle.href}?${randomUUID()}`)) as { handler: Handler }).handler;
}

const baseEnv = () => ({
  ALERTS_TABLE: table,
  DASHBOARDS_URL: 'https://logs.example.com/_dashboards',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_ENDPOINT_URL_DYNAMODB: endpoint,
  AWS_MAX_ATTEMPTS: '1',
});

/** The real "authorize security group ingress" CloudTrail record, opened to 0.0.0.0/0. */
function openToWorld(): string {
  const record = JSON.parse(
    fixtureLines('cloudtrail/integrations_test-authorize-security-group-ingress-json.log')[0] as string,
  );
  record.requestParameters.ipPermissions.items[0].ipRanges.items[0].cidrIp = '0.0.0.0/0';
  return JSON.stringify(record);
}

async function invoke(handler: Handler, event: unknown) {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const response = await handler(event, { getRemainingTimeInMillis: () => 30_000, awsRequestId: 'req-1' });
    const emf = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => '_aws' in l);
    return { response, emf };
  } finally {
    write.mockRestore();
  }
}

beforeAll(async () => {
  const client = new DynamoDBClient(dynamoDbClientConfig(endpoint));
  await createAlertTable(client, table);
  client.destroy();
});
afterAll(() => {
  process.env = savedEnv;
});

describe('the built alerts bundle', () => {
  it('exists (nx test depends on build), loads its rule pack, raises once, then sees a duplicate', async () => {
    expect(existsSync(bundle), 'run `pnpm nx build @central-logging/alerts` first').toBe(true);
    const handler = await coldStart(baseEnv());
    const event = kinesisBatch('aws-cloudtrail-logs-org', [openToWorld()]);
    const first = await invoke(handler, event);
    expect(first.response.batchItemFailures).toEqual([]);
    expect(first.emf).toMatchObject({
      Service: 'alerts',
      records: 1,
      documents: 1,
      raised: 1,
      duplicates: 0,
    });
    const again = await invoke(handler, event);
    expect(again.emf).toMatchObject({ raised: 0, duplicates: 1 });
  });

  it('answers with `state` when the mapping uses tumbling windows (Lambda counts a response without it as failed)', async () => {
    const handler = await coldStart(baseEnv());
    const windowed = {
      ...kinesisBatch('aws-cloudtrail-logs-org', [openToWorld()]),
      window: { start: '2024-01-01T00:00:00Z', end: '2024-01-01T00:05:00Z' },
      state: {},
      isFinalInvokeForWindow: false,
      shardId: 'shardId-000000000000',
      eventSourceARN: 'arn:aws:kinesis:eu-west-1:1:stream/central-logs',
    };
    const { response } = await invoke(handler, windowed);
    expect(response).toEqual({ batchItemFailures: [], state: {} });
    const plain = await invoke(handler, kinesisBatch('aws-cloudtrail-logs-org', [openToWorld()]));
    expect(plain.response).not.toHaveProperty('state');
  });

  it('returns the whole batch to Kinesis when DynamoDB cannot be reached', async () => {
    const handler = await coldStart({ ...baseEnv(), AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' });
    const event = kinesisBatch('aws-cloudtrail-logs-org', [openToWorld()]);
    const { response } = await invoke(handler, event);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '4960001' }]);
  });

  it('refuses to start with a malformed rule file, naming file, rule and field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    writeFileSync(
      join(dir, 'mine.yaml'),
      'id: my-rule\ntitle: Mine\nseverity: high\nkind: threshold\ndatasets: [aws.vpcflow]\ngroupBy: [source.ip]\nwindow: 1h\ncount: 3\n',
    );
    await expect(coldStart({ ...baseEnv(), ALERT_RULE_DIRS: dir })).rejects.toThrow(
      /mine\.yaml \(rule my-rule\) window: must be at most 15m/,
    );
    await expect(coldStart({ ...baseEnv(), ALERTS_TABLE: '' })).rejects.toThrow(/ALERTS_TABLE is required/);
  });
});
