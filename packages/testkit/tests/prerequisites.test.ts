// Fast checks of the failure messages: a machine without Java or Maven must get a message that says
// what to install (or to set OPENSEARCH_URL), never a skipped test or a bare ENOENT.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  connectOpenSearch,
  fetchOpenSearch,
  findJava,
  JAVA_MISSING,
  MissingPrerequisiteError,
  startOpenSearch,
} from '../src/index.ts';
import { redactUrl, withoutCredentials } from '../src/http.ts';
import { parseJavaVersion } from '../src/java.ts';
import { freePort } from '../src/ports.ts';

const packageDir = dirname(import.meta.dirname);

describe('Java', () => {
  it('parses both version schemes', () => {
    expect(parseJavaVersion('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaVersion('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaVersion('java version "1.8.0_392"')).toBe(8);
    expect(parseJavaVersion('no version here')).toBeUndefined();
  });

  it('names the package to install (or OPENSEARCH_URL) when there is no Java', async () => {
    const error = findJava({ PATH: '', JAVA_HOME: '/nonexistent/jdk' });
    await expect(error).rejects.toBeInstanceOf(MissingPrerequisiteError);
    await expect(error).rejects.toThrow(JAVA_MISSING);
    await expect(error).rejects.toThrow('JAVA_HOME=/nonexistent/jdk: no working bin/java');
  });

  it('finds this machine’s Java 17+', async () => {
    const java = await findJava();
    expect(java.version).toBeGreaterThanOrEqual(17);
  });

  it('is checked before anything is downloaded', async () => {
    await expect(startOpenSearch({ env: { PATH: '' } })).rejects.toThrow(JAVA_MISSING);
  });
});

describe('fetchOpenSearch', () => {
  it('names Maven (or OPENSEARCH_URL) when it has to download and there is no mvn', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'testkit-cache-'));
    try {
      const error = fetchOpenSearch({ version: '2.0.99', cacheDir, env: { PATH: '' } });
      await expect(error).rejects.toBeInstanceOf(MissingPrerequisiteError);
      await expect(error).rejects.toThrow(/needs Maven \(apt-get install maven\).*OPENSEARCH_URL/);
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });

  it('refuses a version that is not x.y.z', async () => {
    await expect(fetchOpenSearch({ version: 'latest' })).rejects.toThrow(/not of the form 2\.19\.6/);
  });

  it('`opensearch fetch` warns but succeeds without Maven and Java, so setup.sh goes on', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/opensearch.ts', 'fetch'], {
      cwd: packageDir,
      env: { PATH: dirname(process.execPath), OPENSEARCH_VERSION: '2.0.99' },
      encoding: 'utf8',
    });
    expect(result.stderr).toContain('WARNING: fetching OpenSearch 2.0.99 needs Maven');
    expect(result.stderr).toContain('integration tests will fail until Java 17 and Maven are installed');
    expect(result.status).toBe(0);
  });
});

describe('OPENSEARCH_URL', () => {
  it('moves credentials into an Authorization header and masks them in messages', () => {
    const { url, headers } = withoutCredentials('https://admin:s%40cret@search.example:9200/prefix');
    expect(url).toBe('https://search.example:9200/prefix');
    expect(headers['authorization']).toBe(`Basic ${Buffer.from('admin:s@cret').toString('base64')}`);
    expect(redactUrl('https://admin:s%40cret@search.example:9200/')).toBe(
      'https://admin:***@search.example:9200',
    );
  });

  it('says when the cluster is not reachable, without printing the password', async () => {
    const port = await freePort();
    const error = connectOpenSearch(`http://admin:secret@127.0.0.1:${port}`);
    await expect(error).rejects.toThrow(
      `OPENSEARCH_URL=http://admin:***@127.0.0.1:${port} is not reachable: ECONNREFUSED`,
    );
    await expect(error).rejects.not.toThrow('secret');
  });
});
