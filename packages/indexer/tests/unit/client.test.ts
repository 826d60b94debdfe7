import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenSearchClient } from '../../src/client.ts';

const savedEnv = { ...process.env };
afterEach(() => {
  process.env = savedEnv;
});

/** A local HTTP server that answers a bulk request and remembers what it was sent. */
async function recorder(): Promise<{ url: string; seen: IncomingHttpHeaders[]; close(): void }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"errors":false,"items":[]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => server.close(),
  };
}

describe('createOpenSearchClient', () => {
  it('signs requests with SigV4 for Amazon OpenSearch Service, from the credential chain', async () => {
    const server = await recorder();
    process.env = {
      ...savedEnv,
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
    };
    const client = createOpenSearchClient({
      url: server.url,
      auth: { kind: 'sigv4', region: 'eu-west-1', service: 'es' },
      gzip: false,
    });
    try {
      await client.transport.request({
        method: 'POST',
        path: '/_bulk',
        bulkBody: '{"create":{"_index":"i","_id":"1"}}\n{}\n',
      });
    } finally {
      server.close();
    }
    const headers = server.seen[0] ?? {};
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE\/\d{8}\/eu-west-1\/es\/aws4_request, SignedHeaders=.*host.*, Signature=[0-9a-f]{64}$/,
    );
    expect(headers['x-amz-security-token']).toBe('token');
    expect(headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it('sends basic auth, and gzip bodies when asked', async () => {
    const server = await recorder();
    const client = createOpenSearchClient({
      url: server.url,
      auth: { kind: 'basic', username: 'indexer', password: 'pw' },
      gzip: true,
    });
    try {
      await client.transport.request({
        method: 'POST',
        path: '/_bulk',
        bulkBody: '{"create":{"_index":"i","_id":"1"}}\n{}\n',
      });
    } finally {
      server.close();
    }
    const headers = server.seen[0] ?? {};
    expect(headers.authorization).toBe(`Basic ${Buffer.from('indexer:pw').toString('base64')}`);
    expect(headers['content-encoding']).toBe('gzip');
  });
});
