// `pnpm --filter @central-logging/testkit opensearch <fetch|start>`: the local OpenSearch outside
// of tests. `fetch` is what scripts/setup.sh runs so a fresh machine has the node before the first
// test run; `start` runs one in the foreground for development.
import { parseArgs } from 'node:util';
import { MissingPrerequisiteError, TestkitError } from '../errors.ts';
import { fetchOpenSearch, opensearchVersion } from '../fetch.ts';
import { findJava } from '../java.ts';
import { startOpenSearch } from '../opensearch.ts';

const USAGE = `usage: pnpm --filter @central-logging/testkit opensearch <command>
  fetch                   download OpenSearch from Maven Central into .tools/opensearch/ (once)
  start [--port N] [--verbose]
                          start a local node in the foreground, print its URL; Ctrl-C stops it
environment: OPENSEARCH_VERSION (default ${opensearchVersion({})}), OPENSEARCH_HEAP (default 512m),
             OPENSEARCH_URL (tests use that cluster instead of a local node)`;

const log = (message: string): void => void process.stderr.write(`opensearch: ${message}\n`);

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        port: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: true,
    });
  } catch (error) {
    process.stderr.write(`opensearch: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (rest.length > 0 || (command !== 'fetch' && command !== 'start')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (command === 'fetch') return fetchCommand();
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    process.stderr.write(`opensearch: --port must be a port number, got "${values.port}"\n`);
    return 2;
  }
  return startCommand(port, values.verbose);
}

/**
 * Never fails setup for a missing Java or Maven (a developer may only work on pure packages, or use
 * OPENSEARCH_URL), but says loudly that the OpenSearch tests will fail. A failed download does fail.
 */
async function fetchCommand(): Promise<number> {
  if (process.env['OPENSEARCH_URL']) {
    log('OPENSEARCH_URL is set, so tests use that cluster: nothing to fetch');
    return 0;
  }
  const warn = (error: MissingPrerequisiteError): number => {
    log(`WARNING: ${error.message}`);
    log(
      'WARNING: the OpenSearch integration tests will fail until Java 17 and Maven are installed or OPENSEARCH_URL is set',
    );
    return 0;
  };
  try {
    const started = Date.now();
    const installDir = await fetchOpenSearch({ log });
    log(`OpenSearch ${opensearchVersion()} is in ${installDir} (${Date.now() - started} ms)`);
    const java = await findJava();
    log(`Java ${java.version} from ${java.source}: ${java.home}`);
    return 0;
  } catch (error) {
    if (error instanceof MissingPrerequisiteError) return warn(error);
    throw error;
  }
}

async function startCommand(httpPort: number | undefined, verbose: boolean): Promise<number> {
  const started = Date.now();
  const node = await startOpenSearch({
    log,
    httpPort,
    ...(verbose ? { onOutput: (line: string) => void process.stderr.write(`${line}\n`) } : {}),
  });
  log(
    `OpenSearch ${node.version} is up in ${Date.now() - started} ms; data in ${node.workDir}; Ctrl-C stops it`,
  );
  process.stdout.write(`${node.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log('stopping');
  await node.stop();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message =
      error instanceof TestkitError ? error.message : error instanceof Error ? error.stack : error;
    process.stderr.write(`opensearch: ${String(message)}\n`);
    process.exitCode = 1;
  },
);
