import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createWebhookResolver,
  parseReference,
  WebhookSecretError,
  type WebhookResolverOptions,
} from '../../src/notify/webhook-secret.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:alerts/acme/slack-AbCdEf';
const PARAMETER_ARN = 'arn:aws:ssm:eu-west-1:111122223333:parameter/alerts/acme/slack';
const WEBHOOK = 'https://hooks.slack.com/services/T0000TEST/B0000TEST/s3cr3tTokenValue';
const TOKEN = 's3cr3tTokenValue';

const secrets = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);
afterAll(() => {
  secrets.restore();
  ssm.restore();
});
beforeEach(() => {
  secrets.reset();
  ssm.reset();
});

function resolver(options: Partial<WebhookResolverOptions> = {}) {
  return createWebhookResolver({
    secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
    ssm: new SSMClient({ region: 'eu-west-1' }),
    ...options,
  });
}

/** The rejection, checked to be a WebhookSecretError whose message does not leak the token. */
async function failure(promise: Promise<unknown>): Promise<WebhookSecretError> {
  const error = await promise.then(
    () => expect.unreachable('resolved'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookSecretError);
  const secretError = error as WebhookSecretError;
  expect(secretError.message).not.toContain(TOKEN);
  expect(secretError.message).not.toContain('T0000TEST');
  expect(String(secretError.stack)).not.toContain(TOKEN);
  return secretError;
}

describe('resolving the Slack webhook URL', () => {
  it('reads a Secrets Manager secret whose SecretString is the URL', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: `${WEBHOOK}\n` });
    expect(await resolver().resolve(SECRET_ARN)).toBe(WEBHOOK);
  });

  it('reads a secret holding JSON {"url": …}', async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ url: WEBHOOK, channel: '#sec' }) });
    expect(await resolver().resolve(SECRET_ARN)).toBe(WEBHOOK);
  });

  it('reads an SSM SecureString by ssm:/name, decrypted', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: WEBHOOK } });
    expect(await resolver().resolve('ssm:/alerts/acme/slack')).toBe(WEBHOOK);
    expect(ssm.commandCalls(GetParameterCommand)[0]?.args[0].input).toEqual({
      Name: '/alerts/acme/slack',
      WithDecryption: true,
    });
  });

  it('reads an SSM parameter by ARN (how a parameter shared from another account is named)', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: WEBHOOK } });
    expect(await resolver().resolve(PARAMETER_ARN)).toBe(WEBHOOK);
    expect(ssm.commandCalls(GetParameterCommand)[0]?.args[0].input).toEqual({
      Name: PARAMETER_ARN,
      WithDecryption: true,
    });
  });

  it('caches per reference: the second call does not ask again, until the TTL passes', async () => {
    let now = 1_000_000;
    secrets.on(GetSecretValueCommand).resolves({ SecretString: WEBHOOK });
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: WEBHOOK } });
    const webhooks = resolver({ now: () => now, ttlMs: 60_000 });

    await webhooks.resolve(SECRET_ARN);
    await webhooks.resolve(SECRET_ARN);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);

    await webhooks.resolve('ssm:/alerts/acme/slack'); // another reference, its own entry
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);

    now += 60_001;
    await webhooks.resolve(SECRET_ARN);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('shares one API call among concurrent lookups, and does not cache a failure', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'not yet', $metadata: {} }))
      .resolves({ SecretString: WEBHOOK });
    const webhooks = resolver();
    await failure(webhooks.resolve(SECRET_ARN));
    const urls = await Promise.all([1, 2, 3].map(() => webhooks.resolve(SECRET_ARN)));
    expect(urls).toEqual([WEBHOOK, WEBHOOK, WEBHOOK]);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it.each([
    [
      'plain http',
      'http://hooks.slack.com/services/T0000TEST/B0000TEST/s3cr3tTokenValue',
      'is not an https URL',
    ],
    [
      'another host',
      'https://hooks.example.com/services/T0000TEST/B0000TEST/s3cr3tTokenValue',
      'is not a Slack incoming-webhook URL (https://hooks.slack.com/services/…)',
    ],
    ['not a URL', 's3cr3tTokenValue', 'is not a URL'],
    ['JSON without url', JSON.stringify({ webhook: WEBHOOK }), 'is JSON without a string "url" field'],
    ['broken JSON', `{"url": "${WEBHOOK}"`, 'starts with { but is not JSON'],
    [
      'credentials in the URL',
      'https://user:s3cr3tTokenValue@hooks.slack.com/services/x',
      'is a URL with credentials in it',
    ],
  ])('rejects %s without repeating the value', async (_, value, why) => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: value });
    const error = await failure(resolver().resolve(SECRET_ARN));
    expect(error.message).toBe(`the value of ${SECRET_ARN} ${why}`);
    expect(error.retryable).toBe(false);
    expect(error.reference).toBe(SECRET_ARN);
  });

  it('accepts any https URL with allowAnyHttpsWebhook, and http on localhost only with allowHttpLocalhost', async () => {
    const relay = 'https://relay.example.com/slack/s3cr3tTokenValue';
    secrets.on(GetSecretValueCommand).resolves({ SecretString: relay });
    expect(await resolver({ allowAnyHttpsWebhook: true }).resolve(SECRET_ARN)).toBe(relay);

    const local = 'http://127.0.0.1:8080/services/s3cr3tTokenValue';
    secrets.on(GetSecretValueCommand).resolves({ SecretString: local });
    await failure(resolver({ allowAnyHttpsWebhook: true }).resolve(SECRET_ARN));
    expect(await resolver({ allowHttpLocalhost: true }).resolve(SECRET_ARN)).toBe(local);

    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'http://10.0.0.5/services/s3cr3tTokenValue' });
    await failure(resolver({ allowHttpLocalhost: true }).resolve(SECRET_ARN));
  });

  it('a secret without SecretString, or a parameter without a value, is a configuration error', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2]) });
    expect((await failure(resolver().resolve(SECRET_ARN))).message).toBe(
      `secret ${SECRET_ARN} has no SecretString`,
    );
    ssm.on(GetParameterCommand).resolves({});
    expect((await failure(resolver().resolve('ssm:/x'))).message).toBe('parameter ssm:/x has no value');
  });

  it('tells a missing store (not retryable) from throttling (retryable)', async () => {
    ssm
      .on(GetParameterCommand)
      .rejects(new ParameterNotFound({ message: 'Parameter not found', $metadata: {} }));
    const missing = await failure(resolver().resolve('ssm:/alerts/none'));
    expect(missing.message).toBe('cannot read ssm:/alerts/none: ParameterNotFound: Parameter not found');
    expect(missing.retryable).toBe(false);

    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    secrets.on(GetSecretValueCommand).rejects(throttled);
    expect((await failure(resolver().resolve(SECRET_ARN))).retryable).toBe(true);
  });
});

describe('parseReference', () => {
  it('knows the three ways to name a store', () => {
    expect(parseReference(SECRET_ARN)).toEqual({ kind: 'secretsmanager', secretId: SECRET_ARN });
    expect(
      parseReference('arn:aws-us-gov:secretsmanager:us-gov-west-1:111122223333:secret:s-AbCdEf'),
    ).toMatchObject({
      kind: 'secretsmanager',
    });
    expect(parseReference('ssm:/alerts/acme/slack')).toEqual({ kind: 'ssm', name: '/alerts/acme/slack' });
    expect(parseReference(PARAMETER_ARN)).toEqual({ kind: 'ssm', name: PARAMETER_ARN });
  });

  it('refuses the URL itself without repeating it', () => {
    expect(() => parseReference(WEBHOOK)).toThrow(
      'slackWebhook holds a URL; store the URL in Secrets Manager or SSM and reference that instead',
    );
    try {
      parseReference(WEBHOOK);
    } catch (error) {
      expect(JSON.stringify(error)).not.toContain(TOKEN);
      expect((error as WebhookSecretError).reference).toBe('(redacted)');
    }
  });

  it('says which forms it accepts', () => {
    expect(() => parseReference('alerts/acme/slack')).toThrow(/neither a Secrets Manager secret ARN/);
    expect(() => parseReference('ssm:')).toThrow(WebhookSecretError);
  });
});
