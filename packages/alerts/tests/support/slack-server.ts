// A real HTTP server standing in for a Slack incoming webhook: it records every request and
// answers the way Slack does (200 `ok`; 404 `no_service` for a revoked webhook; 429 with
// Retry-After when rate limited; 500 when Slack is down) or not at all (a hang, for timeouts).
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the server answers one request. */
export type SlackReply =
  | { readonly kind: 'ok' }
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly body: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  /** Reads the request, then never answers (until the server stops). */
  | { readonly kind: 'hang' };

/** One request as the server received it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly body: unknown;
  /** Milliseconds since the epoch when the request was complete. */
  readonly at: number;
}

export interface SlackServer {
  /** A webhook URL on this server, shaped like Slack's. */
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  /** Answers the next `times` requests (after any queued before) with `reply`; then `ok` again. */
  next(reply: SlackReply, times?: number): void;
  fail500(times?: number): void;
  rateLimit(retryAfterSeconds: number, times?: number): void;
  noService(times?: number): void;
  hang(times?: number): void;
  /** Forgets recorded requests and queued replies. */
  reset(): void;
  stop(): Promise<void>;
}

/** The path Slack gives a webhook: `/services/<team>/<bot>/<secret>`. */
export const WEBHOOK_PATH = '/services/T0000TEST/B0000TEST/not-a-real-secret-0123456789';

export async function startSlackServer(): Promise<SlackServer> {
  const requests: RecordedRequest[] = [];
  const queue: SlackReply[] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        raw,
        body: parseJson(raw),
        at: Date.now(),
      });
      const reply: SlackReply = req.url === WEBHOOK_PATH ? (queue.shift() ?? { kind: 'ok' }) : NO_SERVICE;
      answer(res, reply);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const enqueue = (reply: SlackReply, times: number): void => {
    for (let i = 0; i < times; i++) queue.push(reply);
  };

  return {
    url: `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
    requests,
    next: (reply, times = 1) => enqueue(reply, times),
    fail500: (times = 1) => enqueue({ kind: 'status', status: 500, body: 'rollup_error' }, times),
    rateLimit: (retryAfterSeconds, times = 1) =>
      enqueue(
        {
          kind: 'status',
          status: 429,
          body: 'rate_limited',
          headers: { 'retry-after': String(retryAfterSeconds) },
        },
        times,
      ),
    noService: (times = 1) => enqueue(NO_SERVICE, times),
    hang: (times = 1) => enqueue({ kind: 'hang' }, times),
    reset: () => {
      requests.length = 0;
      queue.length = 0;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        // Hung requests keep their sockets open; close them or close() waits forever.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

const NO_SERVICE: SlackReply = { kind: 'status', status: 404, body: 'no_service' };

function answer(res: ServerResponse, reply: SlackReply): void {
  if (reply.kind === 'hang') return;
  // Slack answers webhooks in text/html, body `ok` or the error's name.
  if (reply.kind === 'ok') {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('ok');
    return;
  }
  res.writeHead(reply.status, { 'content-type': 'text/html', ...reply.headers });
  res.end(reply.body);
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
