// `pnpm --filter @central-logging/testkit dynamodb <fetch|start>`: DynamoDB Local outside of tests.
// `fetch` is what scripts/setup.sh runs so a fresh machine has it before the first test run; `start`
// runs one in the foreground for development.
import { parseArgs } from 'node:util';
import {
  DYNAMODB_JAVA_MISSING,
  dynamoDbLocalVersion,
  fetchDynamoDbLocal,
  startDynamoDb,
} from '../dynamodb.ts';
import { MissingPrerequisiteError, TestkitError } from '../errors.ts';
import { findJava } from '../java.ts';

const USAGE = `usage: pnpm --filter @central-logging/testkit dynamodb <command>
  fetch                   download DynamoDB Local from Maven Central into .tools/dynamodb-local/ (once)
  start [--port N] [--verbose]
                          start DynamoDB Local (in memory) in the foreground, print its endpoint;
                          Ctrl-C stops it
environment: DYNAMODB_LOCAL_VERSION (default ${dynamoDbLocalVersion({})}),
             DYNAMODB_ENDPOINT (tests use that server instead of a local one)`;

const log = (message: string): void => void process.stderr.write(`dynamodb: ${message}\n`);

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
    process.stderr.write(`dynamodb: ${(error as Error).message}\n${USAGE}\n`);
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
    process.stderr.write(`dynamodb: --port must be a port number, got "${values.port}"\n`);
    return 2;
  }
  return startCommand(port, values.verbose);
}

/**
 * Never fails setup for a missing Java or Maven (a developer may only work on packages that do not
 * need DynamoDB, or use DYNAMODB_ENDPOINT), but says loudly that those tests will fail. A failed
 * download does fail.
 */
async function fetchCommand(): Promise<number> {
  if (process.env['DYNAMODB_ENDPOINT']) {
    log('DYNAMODB_ENDPOINT is set, so tests use that server: nothing to fetch');
    return 0;
  }
  try {
    const started = Date.now();
    const installDir = await fetchDynamoDbLocal({ log });
    log(`DynamoDB Local ${dynamoDbLocalVersion()} is in ${installDir} (${Date.now() - started} ms)`);
    const java = await findJava(process.env, DYNAMODB_JAVA_MISSING);
    log(`Java ${java.version} from ${java.source}: ${java.home}`);
    return 0;
  } catch (error) {
    if (!(error instanceof MissingPrerequisiteError)) throw error;
    log(`WARNING: ${error.message}`);
    log(
      'WARNING: the tests that use DynamoDB will fail until Java 17 and Maven are installed or DYNAMODB_ENDPOINT is set',
    );
    return 0;
  }
}

async function startCommand(port: number | undefined, verbose: boolean): Promise<number> {
  const started = Date.now();
  const server = await startDynamoDb({
    log,
    port,
    ...(verbose ? { onOutput: (line: string) => void process.stderr.write(`${line}\n`) } : {}),
  });
  log(
    `DynamoDB Local is up in ${Date.now() - started} ms (in memory: stopping loses the tables); Ctrl-C stops it`,
  );
  process.stdout.write(`${server.endpoint}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log('stopping');
  await server.stop();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message =
      error instanceof TestkitError ? error.message : error instanceof Error ? error.stack : error;
    process.stderr.write(`dynamodb: ${String(message)}\n`);
    process.exitCode = 1;
  },
);
