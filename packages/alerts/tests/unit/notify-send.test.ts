// Slack delivery runs against a real local HTTP server (tests/support/slack-server.ts). SNS runs
// against aws-sdk-client-mock: there is no SNS-compatible server available here, so these tests
// check the exact PublishCommand input and the retry policy, not the wire protocol.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  InternalErrorException,
  NotFoundException,
  PublishCommand,
  SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alert.ts';
import { slackPayload, snsMessage } from '../../src/notify/render.ts';
import type { RetryOptions } from '../../src/notify/retry.ts';
import { publishSns, sendSlack } from '../../src/notify/send.ts';
import { createWebhookResolver } from '../../src/notify/webhook-secret.ts';
import { startSlackServer, WEBHOOK_PATH, type SlackServer } from '../support/slack-server.ts';

const LINKS = { dashboardsUrl: 'https://logs.example.com/_dashboards' };
const SECRET_PART = 'not-a-real-secret';

const ALERT: Alert = {
  key: 'root-login|acme||2025-03-01T10:00:00.000Z',
  ruleId: 'root-login',
  title: 'Root user signed in',
  severity: 'critical',
  tenant: 'acme',
  account: '111122223333',
  region: 'us-east-1',
  dataset: 'aws.cloudtrail',
  time: '2025-03-01T10:02:03.000Z',
  count: 1,
  evidence: [{ field: 'source.ip', value: '203.0.113.9' }],
  eventIds: ['37521982730155384620512423837520285730827262720589946880'],
  query: 'user.name:"root" and event.action:"ConsoleLogin"',
  indexPattern: 'logs-aws.cloudtrail-*',
};

/** Fast backoff so a three-attempt run takes milliseconds, not seconds. */
const FAST: RetryOptions = { baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2_000 };

describe('sendSlack against a local webhook server', () => {
  let slack: SlackServer;
  beforeAll(async () => {
    slack = await startSlackServer();
  });
  afterAll(() => slack.stop());
  beforeEach(() => slack.reset());

  it('200 ok: delivered in one attempt, and the server got exactly the payload', async () => {
    const payload = slackPayload(ALERT, LINKS);
    expect(await sendSlack(slack.url, payload, FAST)).toEqual({ ok: true, attempts: 1 });
    expect(slack.requests).toHaveLength(1);
    const [request] = slack.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(WEBHOOK_PATH);
    expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(request?.body).toEqual(payload);
    expect(request?.raw).toBe(JSON.stringify(payload));
  });

  it('500 twice, then 200: delivered on the third attempt, the same body each time', async () => {
    slack.fail500(2);
    expect(await sendSlack(slack.url, slackPayload(ALERT, LINKS), FAST)).toEqual({ ok: true, attempts: 3 });
    expect(slack.requests).toHaveLength(3);
    expect(new Set(slack.requests.map((r) => r.raw)).size).toBe(1);
  });

  it('500 every time: not delivered, not permanent (the alert stays pending), and no URL in the error', async () => {
    slack.fail500(10);
    const result = await sendSlack(slack.url, slackPayload(ALERT, LINKS), FAST);
    expect(result).toMatchObject({ ok: false, attempts: 3, permanent: false });
    expect(!result.ok && result.error).toBe('Slack answered 500 rollup_error (gave up after 3 attempts)');
    expect(slack.requests).toHaveLength(3);
  });

  it('a hung request times out and is retried', async () => {
    slack.hang(1);
    const started = Date.now();
    const result = await sendSlack(slack.url, slackPayload(ALERT, LINKS), { ...FAST, timeoutMs: 300 });
    expect(result).toEqual({ ok: true, attempts: 2 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(slack.requests).toHaveLength(2);
  });

  it('hanging until the deadline: stops at the deadline, not permanent', async () => {
    slack.hang(10);
    const started = Date.now();
    const result = await sendSlack(slack.url, slackPayload(ALERT, LINKS), {
      ...FAST,
      timeoutMs: 5_000,
      attempts: 5,
      deadline: started + 400,
    });
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(result).toMatchObject({ ok: false, permanent: false, attempts: 1 });
    expect(!result.ok && result.error).toContain('no answer within');
  });

  it('404 no_service (webhook revoked): permanent after one attempt, no URL in the error', async () => {
    slack.noService();
    const result = await sendSlack(slack.url, slackPayload(ALERT, LINKS), FAST);
    expect(result).toEqual({
      ok: false,
      attempts: 1,
      permanent: true,
      error: 'Slack answered 404 no_service',
    });
    expect(slack.requests).toHaveLength(1);
  });

  it.each([
    [400, 'invalid_payload'],
    [403, 'invalid_token'],
    [410, 'channel_is_archived'],
  ])('%i %s is permanent', async (status, body) => {
    slack.next({ kind: 'status', status, body });
    const result = await sendSlack(slack.url, slackPayload(ALERT, LINKS), FAST);
    expect(result).toEqual({
      ok: false,
      attempts: 1,
      permanent: true,
      error: `Slack answered ${status} ${body}`,
    });
  });

  it('a payload that cannot be serialized is permanent, without an attempt', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const result = await sendSlack(slack.url, cyclic, FAST);
    expect(result).toMatchObject({ ok: false, attempts: 0, permanent: true });
    expect(slack.requests).toHaveLength(0);
  });

  it('429 with Retry-After: waits as long as Slack asks, then delivers', async () => {
    slack.rateLimit(1);
    const result = await sendSlack(slack.url, slackPayload(ALERT, LINKS), FAST);
    expect(result).toEqual({ ok: true, attempts: 2 });
    const [first, second] = slack.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('429 with a Retry-After beyond the deadline: gives up at once, not permanent', async () => {
    slack.rateLimit(30);
    const started = Date.now();
    const result = await sendSlack(slack.url, slackPayload(ALERT, LINKS), {
      ...FAST,
      deadline: started + 2_000,
    });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(result).toMatchObject({ ok: false, attempts: 1, permanent: false });
    expect(!result.ok && result.error).toMatch(
      /^Slack answered 429 rate_limited \(Retry-After 30000 ms exceeds/,
    );
  });

  it('connection refused: retried, not permanent, and the error names the cause but not the webhook path', async () => {
    const closed = await unusedPort();
    const url = `http://127.0.0.1:${closed}${WEBHOOK_PATH}`;
    const result = await sendSlack(url, slackPayload(ALERT, LINKS), FAST);
    expect(result).toMatchObject({ ok: false, attempts: 3, permanent: false });
    expect(!result.ok && result.error).toContain('ECONNREFUSED');
    expect(!result.ok && result.error).not.toContain(SECRET_PART);
  });

  it('end to end: the URL comes from SSM, the message reaches the server', async () => {
    const ssm = mockClient(SSMClient);
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/alerts/acme/slack', Value: slack.url } });
    const resolver = createWebhookResolver({
      secretsManager: new SecretsManagerClient({ region: 'us-east-1' }),
      ssm: new SSMClient({ region: 'us-east-1' }),
      allowHttpLocalhost: true,
    });
    try {
      const url = await resolver.resolve('ssm:/alerts/acme/slack');
      expect(await sendSlack(url, slackPayload(ALERT, LINKS), FAST)).toEqual({ ok: true, attempts: 1 });
      expect(slack.requests[0]?.body).toMatchObject({ text: expect.stringContaining('Root user signed in') });
    } finally {
      ssm.restore();
    }
  });
});

describe('publishSns (aws-sdk-client-mock)', () => {
  const TOPIC = 'arn:aws:sns:us-east-1:999988887777:central-logging-alerts';
  const sns = mockClient(SNSClient);
  const client = new SNSClient({ region: 'us-east-1' });
  beforeEach(() => sns.reset());
  afterAll(() => sns.restore());

  it('publishes subject, body and attributes exactly as rendered', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const message = snsMessage(ALERT, LINKS);
    expect(await publishSns(client, TOPIC, message, FAST)).toEqual({ ok: true, attempts: 1 });
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      TopicArn: TOPIC,
      Subject: '[CRITICAL] Root user signed in',
      Message: message.Message,
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: 'critical' },
        severityLevel: { DataType: 'Number', StringValue: '4' },
        ruleId: { DataType: 'String', StringValue: 'root-login' },
        tenant: { DataType: 'String', StringValue: 'acme' },
        account: { DataType: 'String', StringValue: '111122223333' },
        region: { DataType: 'String', StringValue: 'us-east-1' },
        dataset: { DataType: 'String', StringValue: 'aws.cloudtrail' },
        alertKey: { DataType: 'String', StringValue: 'root-login|acme||2025-03-01T10:00:00.000Z' },
        alert: { DataType: 'String', StringValue: JSON.stringify(ALERT) },
      },
    });
    expect(message.Message).toMatch(/^CRITICAL: Root user signed in\n/);
  });

  it('throttled, then accepted: two attempts', async () => {
    sns
      .on(PublishCommand)
      .rejectsOnce(
        // SNS reports throttling as a 400 with this name: the name decides, not the status.
        new ThrottledException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }),
      )
      .resolves({ MessageId: 'm-2' });
    expect(await publishSns(client, TOPIC, snsMessage(ALERT, LINKS), FAST)).toEqual({
      ok: true,
      attempts: 2,
    });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
  });

  it('internal errors every time: not delivered, not permanent', async () => {
    sns
      .on(PublishCommand)
      .rejects(new InternalErrorException({ message: 'Internal error', $metadata: { httpStatusCode: 500 } }));
    const result = await publishSns(client, TOPIC, snsMessage(ALERT, LINKS), FAST);
    expect(result).toEqual({
      ok: false,
      attempts: 3,
      permanent: false,
      error: 'InternalErrorException (500): Internal error (gave up after 3 attempts)',
    });
  });

  it('topic not found: permanent after one attempt', async () => {
    sns.on(PublishCommand).rejects(new NotFoundException({ message: 'Topic does not exist', $metadata: {} }));
    const result = await publishSns(client, TOPIC, snsMessage(ALERT, LINKS), FAST);
    expect(result).toEqual({
      ok: false,
      attempts: 1,
      permanent: true,
      error: 'NotFoundException: Topic does not exist',
    });
  });

  it('a FIFO topic gets a group id and a deduplication id derived from the alert key', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-3' });
    await publishSns(client, `${TOPIC}.fifo`, snsMessage(ALERT, LINKS), FAST);
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input).toMatchObject({
      TopicArn: `${TOPIC}.fifo`,
      MessageGroupId: 'acme',
      MessageDeduplicationId: createHash('sha256').update(ALERT.key).digest('hex'),
    });
  });

  it('never throws, whatever the client throws', async () => {
    sns.on(PublishCommand).callsFake(() => {
      throw 'not even an Error';
    });
    const result = await publishSns(client, TOPIC, snsMessage(ALERT, LINKS), { ...FAST, attempts: 2 });
    expect(result).toMatchObject({ ok: false, attempts: 2, permanent: false });
  });
});

/** A port nothing listens on: bind one, then release it. */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
