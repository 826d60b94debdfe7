// Rules → DynamoDB Local (windows, claims, leases) → notifications to a real local Slack webhook
// server and to SNS (a client mock: no SNS-compatible server exists here; see README).
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient, type PublishCommandInput } from '@aws-sdk/client-sns';
import type { LogDocument } from '@central-logging/log-schema';
import { dynamoDbClientConfig } from '@central-logging/testkit';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { RuleEngine } from '../../src/engine.ts';
import { createNotifier } from '../../src/notifier.ts';
import { createWebhookResolver } from '../../src/notify/index.ts';
import { processDocuments, type ProcessSummary } from '../../src/process.ts';
import { loadAlertConfig, parseRuleFile } from '../../src/rules/load.ts';
import { AlertStore, createAlertTable } from '../../src/state.ts';
import { consoleLogins, decode, fixtureLines, securityGroupIngress } from '../support/documents.ts';
import { startSlackServer, type SlackServer } from '../support/slack-server.ts';

const TOPIC = 'arn:aws:sns:eu-west-1:999988887777:central-alerts';
const { rules } = loadAlertConfig({ ruleDirs: [fileURLToPath(new URL('../../rules/', import.meta.url))] });
const newSourceIpRule = (remember: string) =>
  parseRuleFile(
    'new-value.yaml',
    `id: new-source-ip-for-user
title: User signed in from a new address
severity: low
kind: new_value
datasets: [aws.cloudtrail]
where: { field: event.action, equals: ConsoleLogin }
entity: [user.name]
value: [source.ip]
remember: ${remember}
`,
  ).rules;
const newSourceIp = newSourceIpRule('30d');

const dynamo = new DynamoDBClient(dynamoDbClientConfig(inject('dynamodbEndpoint')));
const sns = mockClient(SNSClient);
const ssm = mockClient(SSMClient);
let slack: SlackServer;
let table: string;

function pipeline(
  extraRules = newSourceIp,
  options: { store?: (real: AlertStore) => AlertStore; now?: () => number } = {},
) {
  const engine = new RuleEngine([...rules, ...extraRules], {
    default: { destinations: { snsTopicArn: TOPIC, slackWebhook: 'ssm:/central-logging/slack/default' } },
  });
  const real = new AlertStore({ client: dynamo, table });
  const store = options.store?.(real) ?? real;
  const notifier = createNotifier({
    destinationsOf: (t) => engine.destinationsOf(t),
    sns: new SNSClient({ region: 'eu-west-1' }),
    webhooks: createWebhookResolver({
      secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
      ssm: new SSMClient({ region: 'eu-west-1' }),
      allowHttpLocalhost: true,
    }),
    links: { dashboardsUrl: 'https://logs.example.com/_dashboards' },
    retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 500 },
  });
  return (documents: readonly LogDocument[]): Promise<ProcessSummary> =>
    processDocuments(documents, {
      engine,
      store,
      notifier,
      owner: randomUUID(),
      deadline: (options.now ?? Date.now)() + 20_000,
      ...(options.now && { now: options.now }),
    });
}

const published = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input as PublishCommandInput);
const alertKeysSentToSlack = () =>
  slack.requests
    .map((r) => JSON.stringify(r.body).match(/"alert key: ([^"`]+?)[`"]/)?.[1] ?? JSON.stringify(r.body))
    .sort();
const publishedKeys = () =>
  published()
    .map((p) => p.MessageAttributes?.alertKey?.StringValue)
    .sort();

beforeAll(async () => {
  slack = await startSlackServer();
});
afterAll(async () => {
  await slack?.stop();
  dynamo.destroy();
});
beforeEach(async () => {
  table = `alerts-${randomUUID().slice(0, 8)}`;
  await createAlertTable(dynamo, table);
  slack.reset();
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  ssm.reset();
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: slack.url } });
});

/** Documents that raise one alert per rule kind, some split over two batches. */
function traffic(): { first: LogDocument[]; second: LogDocument[] } {
  const failedLogin = fixtureLines('cloudtrail/integrations_test-console-login-json.log')[1] as string;
  const failures = decode(
    'aws-cloudtrail-logs-org',
    Array.from({ length: 5 }, () => failedLogin),
  );
  const openToWorld = securityGroupIngress((r) => {
    const permissions = (
      r.requestParameters as { ipPermissions: { items: { ipRanges: { items: { cidrIp: string }[] } }[] } }
    ).ipPermissions;
    (permissions.items[0]?.ipRanges.items[0] as { cidrIp: string }).cidrIp = '0.0.0.0/0';
    return r;
  });
  const guardDuty = decode(
    '/aws/events/guardduty',
    fixtureLines('guardduty/integrations_test-guardduty.log'),
  );
  return {
    // 3 of the 5 failed sign-ins, the open security group, the GuardDuty findings.
    first: [...failures.slice(0, 3), ...openToWorld, ...guardDuty],
    // The other 2 failed sign-ins: the window reaches 5 only now.
    second: failures.slice(3),
  };
}

describe('exactly one notification per alert', () => {
  it('the same batches delivered three times, concurrently, and then replayed', async () => {
    const run = pipeline();
    const { first, second } = traffic();

    const firstRuns = await Promise.all([run(first), run(first), run(first)]);
    expect(firstRuns.map((r) => r.windowsFired)).toEqual([0, 0, 0]); // 3 distinct failures < 5, however often
    const raisedFirst = firstRuns.reduce((n, s) => n + s.raised, 0);
    expect(raisedFirst).toBeGreaterThanOrEqual(2); // the open security group, the high GuardDuty findings

    const secondRuns = await Promise.all([run(second), run(second), run(second)]);
    expect(secondRuns.reduce((n, s) => n + s.raised, 0)).toBe(1); // the burst of failed sign-ins, now 5
    // Replay of everything, in one batch, and once more concurrently with itself.
    const replays = await Promise.all([run([...first, ...second]), run([...second, ...first])]);
    expect(replays.map((r) => r.raised)).toEqual([0, 0]);

    const raised = raisedFirst + 1;
    expect(slack.requests).toHaveLength(raised);
    expect(published()).toHaveLength(raised);
    expect(new Set(alertKeysSentToSlack()).size).toBe(raised);
    expect(new Set(publishedKeys()).size).toBe(raised);
    const burst = published().find(
      (p) => p.MessageAttributes?.ruleId?.StringValue === 'console-login-failures-burst',
    );
    expect(burst?.Subject).toMatch(/failed console sign-ins/i);
    expect(burst?.Message).toMatch(/\b5\b/);
  });

  it('a new value alerts the first time only, and again for a different value', async () => {
    const run = pipeline();
    const logins = consoleLogins();
    const pairs = new Set(logins.filter((d) => d.user?.name).map((d) => `${d.user?.name}@${d.source?.ip}`));
    expect(pairs.size).toBeGreaterThan(1);
    const runs = [await run(logins), await run(logins)];
    expect(runs.map((r) => r.newValues)).toEqual([pairs.size, 0]);
    const elsewhere = consoleLogins((r) => ({ ...r, sourceIPAddress: '198.51.100.7' }));
    runs.push(await run(elsewhere));
    expect(runs[2]?.newValues).toBe(pairs.size);
    // Every alert raised (new values, and the sign-in without MFA) was sent once.
    expect(slack.requests).toHaveLength(runs.reduce((n, r) => n + r.raised, 0));
  });

  it('a new value still alerts when its batch failed after the value was recorded, and Kinesis redelivers it', async () => {
    const logins = consoleLogins();
    const pairs = new Set(logins.filter((d) => d.user?.name).map((d) => `${d.user?.name}@${d.source?.ip}`));
    // DynamoDB throttles the claims: the values are recorded, the batch goes back to Kinesis.
    const flaky = pipeline(newSourceIp, {
      store: (real) =>
        Object.assign(Object.create(real) as AlertStore, {
          claim: () => Promise.reject(new Error('ProvisionedThroughputExceededException')),
        }),
    });
    await expect(flaky(logins)).rejects.toThrow('ProvisionedThroughputExceededException');

    const run = pipeline();
    const redelivered = await run(logins);
    expect(redelivered.newValues).toBe(0); // recorded by the failed attempt, raised now
    expect(redelivered.raised).toBeGreaterThanOrEqual(pairs.size);
    const newValueAlerts = published().filter(
      (p) => p.MessageAttributes?.ruleId?.StringValue === 'new-source-ip-for-user',
    );
    expect(newValueAlerts).toHaveLength(pairs.size);
    // Once delivered, the same batch again is a duplicate, not a second notification.
    const again = await run(logins);
    expect(again).toMatchObject({ raised: 0, newValues: 0 });
    expect(again.duplicates).toBe(again.candidates);
  });

  it('a value forgotten after `remember` alerts again, once', async () => {
    const rememberDay = newSourceIpRule('1d');
    const named = () => consoleLogins().filter((d) => d.user?.name);
    const pairs = new Set(named().map((d) => `${d.user?.name}@${d.source?.ip}`));
    const t0 = Date.now();
    const at = (ms: number) => pipeline(rememberDay, { now: () => ms });
    const sentNewValues = () =>
      published().filter((p) => p.MessageAttributes?.ruleId?.StringValue === 'new-source-ip-for-user');

    expect((await at(t0)(named().slice(0, 1))).newValues).toBe(1);
    // The same pair in another event (another id) within the day: remembered, no alert.
    expect((await at(t0 + 3_600_000)(named().slice(0, 1))).newValues).toBe(0);
    // Two days later the pair is forgotten: a new alert, under another key (another first event).
    const twoDays = await at(t0 + 2 * 86_400_000)(named());
    expect(twoDays.newValues).toBe(pairs.size);
    const keys = sentNewValues().map((p) => p.MessageAttributes?.alertKey?.StringValue);
    expect(keys).toHaveLength(1 + pairs.size);
    expect(new Set(keys).size).toBe(1 + pairs.size);
  });
});

describe('what a log line can hold does not stop an alert', () => {
  const custom = (yaml: string) => {
    const { rules: parsed, problems } = parseRuleFile('custom.yaml', yaml);
    expect(problems).toEqual([]);
    return parsed;
  };

  it('a lone surrogate in a grouped field (JSON "\\ud800"): stored, and sent once to SNS and Slack', async () => {
    const run = pipeline(
      custom(`id: sign-in-by-user
title: Console sign-in
severity: low
kind: match
datasets: [aws.cloudtrail]
where: { field: event.action, equals: ConsoleLogin }
dedup: { by: [user.name], window: 1h }
evidence: [user.name, source.ip]
`),
    );
    const logins = consoleLogins((r) => {
      (r.userIdentity as { userName?: string }).userName = 'bob\ud800';
      return r;
    }).slice(0, 1);
    expect(logins[0]?.user?.name).toBe('bob\ud800'); // the decoder keeps what the log said
    const summary = await run(logins);
    expect(summary.deliveryFailures).toBe(0);
    const sent = published().filter((p) => p.MessageAttributes?.ruleId?.StringValue === 'sign-in-by-user');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.Message).toContain('bob\ufffd');
    expect(JSON.stringify(slack.requests.map((r) => r.body))).toContain('bob\ufffd');
    expect(slack.requests).toHaveLength(summary.raised);
  });

  it('a 450 KB log line as evidence: the alert is cut to fit its DynamoDB item, and sent', async () => {
    const run = pipeline(
      custom(`id: lambda-task-timeout
title: Lambda timed out
severity: medium
kind: match
datasets: [aws.lambda]
where: { field: message, contains: 'Task timed out after' }
dedup: { by: [aws.cloudwatch.log_group], window: 15m }
evidence: [message]
`),
    );
    const line = `2024-01-01T00:00:00.000Z\t0f1e2d3c-aaaa-bbbb-cccc-000000000000\tERROR\tTask timed out after 3.00 seconds ${'x'.repeat(450_000)}`;
    const documents = decode('/aws/lambda/orders', [line]);
    expect(documents[0]?.message?.length).toBeGreaterThan(450_000);
    const summary = await run(documents);
    // Ours, and the built-in lambda-timeout-or-error, whose evidence is the message too.
    expect(summary).toMatchObject({ raised: 2, delivered: 4, deliveryFailures: 0 });
    const sent = published().find((p) => p.MessageAttributes?.ruleId?.StringValue === 'lambda-task-timeout');
    expect(sent?.Message).toContain('Task timed out after 3.00 seconds');
    expect(Buffer.byteLength(sent?.Message ?? '')).toBeLessThan(10_000);
  });

  it('an alert that cannot be rendered is kept pending as a permanent failure, never thrown', async () => {
    const notifier = createNotifier({
      destinationsOf: () => ({ snsTopicArn: TOPIC }),
      sns: new SNSClient({ region: 'eu-west-1' }),
      webhooks: { resolve: () => Promise.resolve(slack.url) },
      links: { dashboardsUrl: 'https://logs.example.com/_dashboards' },
    });
    // As an alert stored before its text was made well-formed would read back.
    const alert = {
      key: 'r|default|bob\ud800|',
      ruleId: 'r',
      title: 'Stored long ago',
      severity: 'low',
      tenant: 'default',
      dataset: 'aws.cloudtrail',
      time: '2024-01-01T00:00:00.000Z',
      count: 1,
      evidence: [],
      eventIds: ['1'],
      query: 'user.name:"bob\ud800"',
      indexPattern: 'logs-aws.cloudtrail-*',
    } as const;
    const delivery = await notifier.deliver('sns', alert, Date.now() + 5_000);
    expect(delivery).toMatchObject({ ok: false, permanent: true });
    expect(delivery.ok === false && delivery.error).toMatch(/cannot render the alert: URI malformed/);
    expect(published()).toHaveLength(0);
  });
});

describe('a notification that fails stays pending, and is sent once later', () => {
  it('Slack answering 500: retried, kept pending, delivered by the next invocation; SNS is not sent twice', async () => {
    const run = pipeline([]);
    const { first } = traffic();
    slack.fail500(1_000);
    const failed = await run(first);
    expect(failed.raised).toBeGreaterThan(0);
    expect(failed.delivered).toBe(failed.raised); // SNS went through
    expect(failed.deliveryFailures).toBe(failed.raised); // Slack did not
    expect(slack.requests).toHaveLength(3 * failed.raised); // three attempts each
    expect(published()).toHaveLength(failed.raised);

    slack.reset();
    const later = await run([]);
    expect(later.pendingRetried).toBe(0); // not due yet: the retry waits its backoff
    const store = new AlertStore({ client: dynamo, table });
    expect(await store.due(Date.now() + 60_000, 100)).toHaveLength(failed.raised);

    // Time passes (the backoff is 30 s): the next invocation retries them.
    const retried = await processDocuments([], {
      engine: new RuleEngine(rules, {
        default: { destinations: { snsTopicArn: TOPIC, slackWebhook: 'ssm:/central-logging/slack/default' } },
      }),
      store,
      notifier: createNotifier({
        destinationsOf: () => ({ snsTopicArn: TOPIC, slackWebhook: 'ssm:/central-logging/slack/default' }),
        sns: new SNSClient({ region: 'eu-west-1' }),
        webhooks: createWebhookResolver({
          secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
          ssm: new SSMClient({ region: 'eu-west-1' }),
          allowHttpLocalhost: true,
        }),
        links: { dashboardsUrl: 'https://logs.example.com/_dashboards' },
      }),
      owner: 'later',
      deadline: Date.now() + 80_000,
      now: () => Date.now() + 60_000,
    });
    expect(retried).toMatchObject({
      pendingRetried: failed.raised,
      delivered: failed.raised,
      deliveryFailures: 0,
    });
    expect(slack.requests).toHaveLength(failed.raised);
    expect(published()).toHaveLength(failed.raised); // SNS was delivered the first time: not again
    expect(await store.due(Date.now() + 3_600_000, 100)).toEqual([]);
  });

  it('Slack timing out: retried within the invocation, then pending', async () => {
    const run = pipeline([]);
    slack.hang(3);
    const summary = await run(
      securityGroupIngress((r) => {
        const p = r.requestParameters as {
          ipPermissions: { items: { ipRanges: { items: { cidrIp: string }[] } }[] };
        };
        (p.ipPermissions.items[0]?.ipRanges.items[0] as { cidrIp: string }).cidrIp = '0.0.0.0/0';
        return r;
      }),
    );
    expect(summary).toMatchObject({ raised: 1, delivered: 1, deliveryFailures: 1 });
    expect(slack.requests).toHaveLength(3);
    expect(summary.failures.join()).toMatch(/slack: /);
    expect(summary.failures.join()).not.toContain('not-a-real-secret');
  });
});
