// The Slack webhook URL is a credential (whoever has it can post to the channel), so a tenant's
// destinations name where it is kept, never the URL itself: a Secrets Manager secret or an SSM
// SecureString. This module reads it, checks it, and caches it so that a busy invocation does not
// call the API for every alert. The URL never appears in an error or a log line.
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { failureOf, isRetryable } from './retry.ts';

/** Why a webhook URL could not be had. `reference` is where it is kept, never the URL. */
export class WebhookSecretError extends Error {
  override readonly name = 'WebhookSecretError';
  constructor(
    message: string,
    readonly reference: string,
    /** True when asking again later may work (throttling, network); false for a configuration error. */
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface WebhookResolverOptions {
  readonly secretsManager: SecretsManagerClient;
  readonly ssm: SSMClient;
  /** How long a URL is reused before it is read again, so a rotated webhook is picked up. Default 5 minutes. */
  readonly ttlMs?: number;
  /** Accept any https URL, not only `https://hooks.slack.com/services/…` (a self-hosted relay). */
  readonly allowAnyHttpsWebhook?: boolean;
  /** Also accept `http://` on 127.0.0.1, ::1 or localhost: for tests against a local server only. */
  readonly allowHttpLocalhost?: boolean;
  /** For tests. */
  readonly now?: () => number;
}

/** Turns a `Destinations.slackWebhook` reference into the webhook URL. */
export interface WebhookResolver {
  resolve(reference: string): Promise<string>;
}

/** Where a webhook URL is kept. */
export type WebhookStore =
  | { readonly kind: 'secretsmanager'; readonly secretId: string }
  | { readonly kind: 'ssm'; readonly name: string };

const DEFAULT_TTL_MS = 5 * 60_000;
const SLACK_HOST = 'hooks.slack.com';
const LOCALHOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * A resolver with a cache per reference. Concurrent lookups of the same reference share one API
 * call; failures are not cached, so the next alert asks again.
 */
export function createWebhookResolver(options: WebhookResolverOptions): WebhookResolver {
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { readonly url: string; readonly expires: number }>();
  const inFlight = new Map<string, Promise<string>>();

  async function load(reference: string): Promise<string> {
    const store = parseReference(reference);
    const raw = await read(store, reference, options);
    const url = extractUrl(raw, reference);
    validateUrl(url, reference, options);
    return url;
  }

  return {
    async resolve(reference: string): Promise<string> {
      const cached = cache.get(reference);
      if (cached !== undefined && cached.expires > now()) return cached.url;
      const pending = inFlight.get(reference);
      if (pending !== undefined) return pending;
      const loading = load(reference)
        .then((url) => {
          cache.set(reference, { url, expires: now() + ttlMs });
          return url;
        })
        .finally(() => inFlight.delete(reference));
      inFlight.set(reference, loading);
      return loading;
    },
  };
}

/**
 * Where a reference points: `arn:aws:secretsmanager:…` (any partition), `ssm:/name` (or `ssm:name`),
 * or an SSM parameter ARN `arn:aws:ssm:…:parameter/name` (GetParameter takes the ARN as its name,
 * which is also how a parameter shared from another account is read).
 */
export function parseReference(reference: string): WebhookStore {
  if (/^arn:aws[a-z-]*:secretsmanager:[^:]*:\d{12}:secret:.+/.test(reference)) {
    return { kind: 'secretsmanager', secretId: reference };
  }
  if (/^arn:aws[a-z-]*:ssm:[^:]*:\d{12}:parameter\/.+/.test(reference))
    return { kind: 'ssm', name: reference };
  if (reference.startsWith('ssm:') && reference.length > 'ssm:'.length) {
    return { kind: 'ssm', name: reference.slice('ssm:'.length) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(reference)) {
    // Someone put the URL itself in the configuration: do not repeat it in the error.
    throw new WebhookSecretError(
      'slackWebhook holds a URL; store the URL in Secrets Manager or SSM and reference that instead',
      '(redacted)',
      false,
    );
  }
  throw new WebhookSecretError(
    `slackWebhook reference ${JSON.stringify(reference)} is neither a Secrets Manager secret ARN ` +
      '(arn:aws:secretsmanager:…), an SSM parameter ARN, nor ssm:/parameter-name',
    reference,
    false,
  );
}

async function read(
  store: WebhookStore,
  reference: string,
  clients: WebhookResolverOptions,
): Promise<string> {
  try {
    if (store.kind === 'secretsmanager') {
      const result = await clients.secretsManager.send(
        new GetSecretValueCommand({ SecretId: store.secretId }),
      );
      if (result.SecretString === undefined) {
        throw new WebhookSecretError(`secret ${reference} has no SecretString`, reference, false);
      }
      return result.SecretString;
    }
    const result = await clients.ssm.send(
      new GetParameterCommand({ Name: store.name, WithDecryption: true }),
    );
    const value = result.Parameter?.Value;
    if (value === undefined)
      throw new WebhookSecretError(`parameter ${reference} has no value`, reference, false);
    return value;
  } catch (error) {
    if (error instanceof WebhookSecretError) throw error;
    // SDK errors (AccessDenied, ResourceNotFound, ParameterNotFound, throttling) carry no secret value.
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    const failure = failureOf(error);
    // ParameterNotFound is SSM's own name for a missing parameter, absent from the shared list.
    const retryable = name !== 'ParameterNotFound' && isRetryable(failure);
    throw new WebhookSecretError(`cannot read ${reference}: ${name}: ${message}`, reference, retryable);
  }
}

/** The secret is the URL itself, or JSON `{"url": "…"}`. */
function extractUrl(raw: string, reference: string): string {
  const value = raw.trim();
  if (!value.startsWith('{')) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new WebhookSecretError(`the value of ${reference} starts with { but is not JSON`, reference, false);
  }
  const url = typeof parsed === 'object' && parsed !== null ? (parsed as { url?: unknown }).url : undefined;
  if (typeof url !== 'string') {
    throw new WebhookSecretError(
      `the value of ${reference} is JSON without a string "url" field`,
      reference,
      false,
    );
  }
  return url.trim();
}

function validateUrl(value: string, reference: string, options: WebhookResolverOptions): void {
  const invalid = (why: string): WebhookSecretError =>
    new WebhookSecretError(`the value of ${reference} ${why}`, reference, false);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('is not a URL');
  }
  if (url.username !== '' || url.password !== '') throw invalid('is a URL with credentials in it');
  if (url.protocol === 'http:' && options.allowHttpLocalhost === true && LOCALHOSTS.has(url.hostname)) return;
  if (url.protocol !== 'https:') throw invalid('is not an https URL');
  if (options.allowAnyHttpsWebhook === true) return;
  if (url.hostname !== SLACK_HOST || !url.pathname.startsWith('/services/')) {
    throw invalid(`is not a Slack incoming-webhook URL (https://${SLACK_HOST}/services/…)`);
  }
}
