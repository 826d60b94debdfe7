// One real node for the whole file (about 8 s to start, 10 s per restart): the lifecycle the
// indexer's integration and fault tests rely on. Plus one that fails to start, for its message.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  restartOpenSearch,
  serveOpenSearchControl,
  setupOpenSearch,
  startOpenSearch,
  useOpenSearch,
  type OpenSearchNode,
} from '../src/index.ts';

const INDEX = 'logs-testkit';

async function call(node: OpenSearchNode, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${node.url}/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json: unknown = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function searchHits(node: OpenSearchNode, query: unknown): Promise<unknown[]> {
  const result = (await call(node, 'POST', `${INDEX}/_search`, { query })) as { hits: { hits: unknown[] } };
  return result.hits.hits;
}

describe('a local OpenSearch node', () => {
  let node: OpenSearchNode;

  beforeAll(async () => {
    node = await startOpenSearch();
  }, 180_000);

  afterAll(async () => {
    await node?.stop();
  }, 30_000);

  it('is the version asked for, on localhost', async () => {
    expect(node.external).toBe(false);
    expect(node.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const info = (await call(node, 'GET', '')) as { version: { number: string } };
    expect(info.version.number).toBe(node.version);
  });

  it('indexes a document and finds it', async () => {
    await call(node, 'PUT', `${INDEX}/_doc/1?refresh=true`, { message: 'connection accepted', port: 443 });
    const hits = await searchHits(node, { match: { message: 'accepted' } });
    expect(hits).toHaveLength(1);
  });

  it('keeps its URL and data across a restart', async () => {
    const url = node.url;
    await node.restart();
    expect(node.url).toBe(url);
    const doc = (await call(node, 'GET', `${INDEX}/_doc/1`)) as { _source: unknown };
    expect(doc._source).toEqual({ message: 'connection accepted', port: 443 });
    expect(await searchHits(node, { term: { port: 443 } })).toHaveLength(1);
  }, 150_000);

  it('restarts when a test in a worker asks through the control server', async () => {
    const control = await serveOpenSearchControl(node);
    try {
      await call(node, 'PUT', `${INDEX}/_doc/2?refresh=true`, { message: 'written before the restart' });
      await restartOpenSearch(control.url);
      expect(await searchHits(node, { match_all: {} })).toHaveLength(2);
    } finally {
      await control.close();
    }
  }, 150_000);

  it('stands back for OPENSEARCH_URL: passes it through, never stops or restarts that cluster', async () => {
    // Credentials in the URL: this node ignores them, but they must survive the trip into fetch().
    const external = node.url.replace('http://', 'http://admin:secret@');
    vi.stubEnv('OPENSEARCH_URL', external);
    try {
      const used = await useOpenSearch();
      expect(used).toMatchObject({
        url: external,
        external: true,
        version: node.version,
        workDir: undefined,
      });
      await expect(used.restart()).rejects.toThrow('cannot restart an external cluster (OPENSEARCH_URL=');

      const provided = new Map<string, string>();
      const teardown = await setupOpenSearch({ provide: (key, value) => void provided.set(key, value) });
      expect(provided.get('opensearchUrl')).toBe(external);
      const controlUrl = provided.get('opensearchControlUrl');
      await expect(restartOpenSearch(controlUrl)).rejects.toThrow(
        'restarting OpenSearch failed: cannot restart an external cluster',
      );
      await teardown();
      await used.stop();
      // Still up: neither stop() nor the teardown touched a cluster they did not start.
      expect(await searchHits(node, { match_all: {} })).toHaveLength(2);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('stops: the port closes and the data is removed', async () => {
    const workDir = node.workDir;
    expect(workDir !== undefined && existsSync(workDir)).toBe(true);
    await node.stop();
    await expect(fetch(node.url)).rejects.toThrow();
    expect(existsSync(workDir ?? '')).toBe(false);
    await node.stop(); // idempotent
    await expect(node.restart()).rejects.toThrow('stopped');
  }, 30_000);
});

describe('a node that cannot start', () => {
  it('fails with the reason and the last lines of its output', async () => {
    const error = startOpenSearch({ settings: { 'no.such.setting': 'x' } });
    await expect(error).rejects.toThrow(
      /exited \(exit code 1\) before it was healthy: java\.lang\.IllegalArgumentException: unknown setting \[no\.such\.setting\][^]*Its last output:\n/,
    );
  }, 120_000);
});
