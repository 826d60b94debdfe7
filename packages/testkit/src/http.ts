/**
 * fetch() refuses URLs that carry credentials, and OPENSEARCH_URL may (https://user:pass@host:9200):
 * this moves them into a basic Authorization header and returns the bare URL.
 */
export function withoutCredentials(url: string): { url: string; headers: Record<string, string> } {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return { url, headers: {} };
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  return { url: parsed.toString(), headers: { authorization } };
}

/** The URL with its password masked, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable URL)';
  }
}

/** `GET|POST <base><path>` against OpenSearch, with credentials from the base URL if any. */
export function requestOpenSearch(
  base: string,
  path: string,
  init: { method?: string; body?: string; timeoutMs?: number } = {},
): Promise<Response> {
  const { url, headers } = withoutCredentials(base);
  // Relative to the base, so a cluster behind a path prefix (https://proxy/opensearch) works too.
  const target = new URL(path.replace(/^\/+/, ''), url.endsWith('/') ? url : `${url}/`);
  return fetch(target, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: init.body }),
    signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
  });
}

/** A short description of a failed request: the cause's code (ECONNREFUSED) beats "fetch failed". */
export function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} (${cause.message})` : cause.message;
  }
  return error.message;
}
