// A small HTTP proxy in front of the real OpenSearch node that misbehaves on purpose, the way a
// loaded Amazon OpenSearch Service domain does: whole-request 429/503, per-item 429 inside a 200
// bulk response, connection resets, and whatever the node does while it restarts (refused
// connections become 502, as the service's load balancer answers); and the way the proxies in
// front of a cluster do: an error page labelled JSON, an answer cut off mid-body.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export type Fault =
  | { readonly kind: 'pass' }
  /** The whole request refused with this status and an OpenSearch-shaped error body. */
  | { readonly kind: 'status'; readonly status: number; readonly type: string }
  /** The TCP connection dropped before any response. */
  | { readonly kind: 'reset' }
  /** Every `every`-th bulk item rejected with 429; the rest really indexed. */
  | { readonly kind: 'partial429'; readonly every: number }
  /** This answer instead of the node's, whatever it is: a proxy's error page, with its content type. */
  | { readonly kind: 'raw'; readonly status: number; readonly contentType: string; readonly body: string }
  /** Forwarded and really indexed, but the node's answer cut off halfway. */
  | { readonly kind: 'truncate' };

/**
 * Decides the fault for the n-th bulk request (1-based), which creates these `_id`s. Other
 * requests always pass.
 */
export type FaultPlan = (bulkRequest: number, ids: readonly string[]) => Fault;

export interface FaultStats {
  bulkRequests: number;
  status: Record<number, number>;
  resets: number;
  itemsRejected: number;
  upstreamErrors: number;
}

export interface FaultProxy {
  readonly url: string;
  readonly stats: FaultStats;
  setPlan(plan: FaultPlan): void;
  stop(): Promise<void>;
}

export async function startFaultProxy(
  upstream: string,
  initial: FaultPlan = () => ({ kind: 'pass' }),
): Promise<FaultProxy> {
  const target = new URL(upstream);
  let plan = initial;
  const stats: FaultStats = { bulkRequests: 0, status: {}, resets: 0, itemsRejected: 0, upstreamErrors: 0 };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const isBulk = (req.url ?? '').split('?')[0]?.endsWith('/_bulk') === true;
      const fault: Fault = isBulk ? plan(++stats.bulkRequests, idsOf(body)) : { kind: 'pass' };
      switch (fault.kind) {
        case 'reset':
          stats.resets++;
          req.socket.destroy();
          return;
        case 'status':
          stats.status[fault.status] = (stats.status[fault.status] ?? 0) + 1;
          return json(res, fault.status, {
            error: { type: fault.type, reason: 'injected by the fault proxy' },
            status: fault.status,
          });
        case 'partial429':
          return partial(req, res, body, fault.every);
        case 'raw':
          stats.status[fault.status] = (stats.status[fault.status] ?? 0) + 1;
          res.writeHead(fault.status, { 'content-type': fault.contentType });
          return res.end(fault.body);
        case 'truncate':
          return forward(
            req,
            body,
            (status, headers, payload) => {
              res.writeHead(status, headers);
              res.end(payload.subarray(0, Math.floor(payload.length / 2)));
            },
            res,
          );
        case 'pass':
          return forward(
            req,
            body,
            (status, headers, payload) => {
              res.writeHead(status, headers);
              res.end(payload);
            },
            res,
          );
      }
    });
  });

  function forward(
    req: IncomingMessage,
    body: Buffer,
    done: (status: number, headers: Record<string, string>, payload: Buffer) => void,
    res: ServerResponse,
  ): void {
    const upstreamRequest = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: {
          ...(req.headers['content-type'] ? { 'content-type': req.headers['content-type'] } : {}),
          ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
          'content-length': body.length,
        },
      },
      (upstreamResponse) => {
        const parts: Buffer[] = [];
        upstreamResponse.on('data', (c: Buffer) => parts.push(c));
        upstreamResponse.on('end', () =>
          done(
            upstreamResponse.statusCode ?? 502,
            { 'content-type': upstreamResponse.headers['content-type'] ?? 'application/json' },
            Buffer.concat(parts),
          ),
        );
        upstreamResponse.on('error', () => bad(res));
      },
    );
    upstreamRequest.on('error', () => bad(res));
    upstreamRequest.end(body);
  }

  function bad(res: ServerResponse): void {
    // The node is down or restarting: answer as a load balancer in front of it would.
    stats.upstreamErrors++;
    stats.status[502] = (stats.status[502] ?? 0) + 1;
    if (!res.headersSent) json(res, 502, { message: 'Bad Gateway' });
  }

  function partial(req: IncomingMessage, res: ServerResponse, body: Buffer, every: number): void {
    const lines = body
      .toString('utf8')
      .split('\n')
      .filter((l) => l.length > 0);
    const kept: string[] = [];
    const rejected: boolean[] = [];
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const reject = (i / 2) % every === every - 1;
      rejected.push(reject);
      if (!reject) kept.push(lines[i] as string, lines[i + 1] as string);
    }
    const rejection = {
      create: {
        status: 429,
        error: { type: 'es_rejected_execution_exception', reason: 'rejected by the fault proxy' },
      },
    };
    if (kept.length === 0) {
      stats.itemsRejected += rejected.length;
      return json(res, 200, { errors: true, items: rejected.map(() => rejection) });
    }
    forward(
      req,
      Buffer.from(kept.join('\n') + '\n'),
      (status, headers, payload) => {
        if (status !== 200) {
          res.writeHead(status, headers);
          res.end(payload);
          return;
        }
        const upstream = JSON.parse(payload.toString('utf8')) as { items: unknown[] };
        let next = 0;
        const items = rejected.map((reject) => (reject ? rejection : upstream.items[next++]));
        stats.itemsRejected += rejected.filter(Boolean).length;
        json(res, 200, { errors: true, items });
      },
      res,
    );
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    setPlan(next) {
      plan = next;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The `_id`s a bulk body creates (its action lines). */
function idsOf(body: Buffer): string[] {
  const ids: string[] = [];
  for (const line of body.toString('utf8').split('\n')) {
    if (!line.startsWith('{"create"')) continue;
    const id = (JSON.parse(line) as { create: { _id?: string } }).create._id;
    if (id !== undefined) ids.push(id);
  }
  return ids;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}
