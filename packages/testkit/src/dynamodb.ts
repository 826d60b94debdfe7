import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MissingPrerequisiteError, TestkitError } from './errors.ts';
import { findExecutable, lastLines, OutputTail, run } from './exec.ts';
import { describeFetchError } from './http.ts';
import { findJava, MINIMUM_JAVA_VERSION } from './java.ts';
import { freePort } from './ports.ts';
import { findRepoRoot } from './repo.ts';

/** The newest DynamoDB Local on Maven Central (2.x needs Java 17). */
export const DEFAULT_DYNAMODB_LOCAL_VERSION = '2.6.1';

const ARTIFACT = 'com.amazonaws:DynamoDBLocal';
const MAIN_CLASS = 'com.amazonaws.services.dynamodbv2.local.main.ServerRunner';
/**
 * Pinned so that a warm ~/.m2 needs no network: an unversioned `dependency:` prefix makes Maven ask
 * Central for the newest plugin on every run. 3.8.1 needs Maven 3.6.3+ (Debian 12 has 3.8.7).
 */
const COPY_DEPENDENCIES = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies';

export const DYNAMODB_JAVA_MISSING =
  `DynamoDB Local needs Java ${MINIMUM_JAVA_VERSION}+ (apt-get install openjdk-17-jre-headless) ` +
  'or DYNAMODB_ENDPOINT pointing at a running DynamoDB-API server';

/**
 * DynamoDB Local keeps one database per access key and region unless started with -sharedDb (which
 * startDynamoDb does), so against a DYNAMODB_ENDPOINT server every client must use these.
 */
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
const REGION = 'us-east-1';
/**
 * DynamoDB Local rejects a request without an Authorization header (400 MissingAuthenticationToken)
 * but never checks the signature: the credential scope is all it reads (for the database to use).
 */
const AUTHORIZATION =
  `AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/20200101/${REGION}/dynamodb/aws4_request, ` +
  'SignedHeaders=host;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000';

const DEFAULT_START_TIMEOUT_MS = 60_000;
/** It stops in well under a second on SIGTERM; one that has not after this is killed. */
const STOP_GRACE_MS = 10_000;
/** Attempts with a fresh port when another process took it between our check and the bind. */
const PORT_ATTEMPTS = 3;
const BIND_FAILURE = /Failed to bind|Address already in use/;
/** "Exception in thread "main" java.io.IOException: why" or "Caused by: x.y.FooException: why". */
const EXCEPTION_LINE = /^(?:Exception in thread "[^"]*" |\s*Caused by: )?([\w.$]+(?:Exception|Error): \S.*)$/;

/** What the AWS SDK v3 DynamoDBClient (or DynamoDBDocumentClient) needs to talk to the server. */
export interface DynamoDbClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** A DynamoDB-API server: DynamoDB Local this process started, or the one DYNAMODB_ENDPOINT names. */
export interface DynamoDbServer {
  /** e.g. http://127.0.0.1:41234, no trailing slash. */
  readonly endpoint: string;
  /** `new DynamoDBClient(server.clientConfig)`: the endpoint, us-east-1 and fixed fake credentials. */
  readonly clientConfig: DynamoDbClientConfig;
  /** True for DYNAMODB_ENDPOINT: this process did not start it, so stop() leaves it running. */
  readonly external: boolean;
  /** Stops the server (its in-memory tables are gone); resolves once the process has exited. */
  stop(): Promise<void>;
}

/**
 * The client configuration for a DynamoDB-API server at `endpoint`: what a test file builds from
 * `inject('dynamodbEndpoint')`, since only strings travel from globalSetup to the workers.
 */
export function dynamoDbClientConfig(endpoint: string): DynamoDbClientConfig {
  return { endpoint, region: REGION, credentials: { ...CREDENTIALS } };
}

export interface FetchDynamoDbLocalOptions {
  /** Defaults to DYNAMODB_LOCAL_VERSION, else {@link DEFAULT_DYNAMODB_LOCAL_VERSION}. */
  readonly version?: string;
  /** Where fetched versions are kept; defaults to `<repo>/.tools/dynamodb-local`. */
  readonly cacheDir?: string;
  /** Progress messages; silent by default. */
  readonly log?: (message: string) => void;
  /** Environment to read PATH and DYNAMODB_LOCAL_VERSION from; defaults to process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The version to run: DYNAMODB_LOCAL_VERSION when set, else the default. */
export function dynamoDbLocalVersion(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['DYNAMODB_LOCAL_VERSION'];
  return fromEnv === undefined || fromEnv === '' ? DEFAULT_DYNAMODB_LOCAL_VERSION : fromEnv;
}

/**
 * Makes sure DynamoDB Local `version` is under the cache dir and returns that dir: its jar, every
 * jar it depends on and the sqlite4java native libraries (85 files, 51 MB for 2.6.1). Does nothing
 * when it already is; otherwise Maven copies them there from the local Maven repository,
 * downloading what is missing from Maven Central. Safe to run concurrently: each run copies into its
 * own staging dir and moves it into place with one rename.
 */
export async function fetchDynamoDbLocal(options: FetchDynamoDbLocalOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const version = options.version ?? dynamoDbLocalVersion(env);
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    throw new TestkitError(
      `DynamoDB Local version "${version}" is not of the form 2.6.1 (DYNAMODB_LOCAL_VERSION)`,
    );
  }
  const log = options.log ?? (() => {});
  const cacheDir = options.cacheDir ?? join(findRepoRoot(), '.tools', 'dynamodb-local');
  const installDir = join(cacheDir, version);
  if (isInstalled(installDir, version)) return installDir;

  const mvn = findExecutable('mvn', env);
  if (mvn === undefined) {
    throw new MissingPrerequisiteError(
      `fetching DynamoDB Local ${version} needs Maven (apt-get install maven) and Java 17+, ` +
        'or DYNAMODB_ENDPOINT pointing at a running DynamoDB-API server',
    );
  }
  log(`fetching DynamoDB Local ${version} with Maven into ${installDir}`);
  await mkdir(cacheDir, { recursive: true });
  const staging = await mkdtemp(join(cacheDir, `.fetch-${version}-`));
  try {
    await mavenCopyDependencies(mvn, version, staging, env);
    const lib = join(staging, 'lib');
    if (!isInstalled(lib, version)) {
      throw new TestkitError(`Maven copied the dependencies of ${ARTIFACT}:${version} but not its jar`);
    }
    try {
      await rename(lib, installDir);
    } catch (error) {
      // Another process finished first: its copy is as good as ours.
      if (!isInstalled(installDir, version)) throw error;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return installDir;
}

function isInstalled(dir: string, version: string): boolean {
  return existsSync(join(dir, `DynamoDBLocal-${version}.jar`));
}

/**
 * DynamoDB Local is not one artifact but a jar plus ~80 dependencies, the sqlite4java natives among
 * them (`type` so, dylib, dll, scope runtime): a throwaway pom with it as the only dependency lets
 * `copy-dependencies` gather all of them into one dir. The local repository is named explicitly, as
 * for OpenSearch, so a settings.xml elsewhere cannot send the downloads somewhere else.
 */
async function mavenCopyDependencies(
  mvn: string,
  version: string,
  staging: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const [groupId, artifactId] = ARTIFACT.split(':');
  const pom = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.testkit</groupId>
  <artifactId>dynamodb-local-fetch</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>${groupId}</groupId>
      <artifactId>${artifactId}</artifactId>
      <version>${version}</version>
    </dependency>
  </dependencies>
</project>
`;
  await writeFile(join(staging, 'pom.xml'), pom);
  const args = [
    '-q',
    '-B',
    '-f',
    join(staging, 'pom.xml'),
    COPY_DEPENDENCIES,
    `-DoutputDirectory=${join(staging, 'lib')}`,
    // Compile and runtime scope: the natives are runtime; DynamoDB Local's test deps are not wanted.
    '-DincludeScope=runtime',
    `-Dmaven.repo.local=${join(homedir(), '.m2', 'repository')}`,
  ];
  const result = await run(mvn, args, { cwd: staging, env });
  if (result.code !== 0) {
    throw new TestkitError(
      `mvn ${args.join(' ')} failed (exit ${result.code ?? result.signal}); is ${ARTIFACT}:${version} ` +
        `published on Maven Central (${DEFAULT_DYNAMODB_LOCAL_VERSION} is)? Its output:\n${lastLines(result.output)}`,
    );
  }
}

export interface StartDynamoDbOptions extends FetchDynamoDbLocalOptions {
  /** A dir holding DynamoDBLocal-<version>.jar and its dependencies, instead of fetching one. */
  readonly installDir?: string;
  /** The port; a free one by default. A fixed port that is taken fails the start. */
  readonly port?: number;
  /** How long to wait for the first answer to ListTables; default 60 s (it takes about 2 s). */
  readonly startTimeoutMs?: number;
  /** Receives every line the server prints (it prints little; failures quote the last lines). */
  readonly onOutput?: (line: string) => void;
}

/**
 * DYNAMODB_ENDPOINT set: that server (checked with ListTables). Otherwise fetches DynamoDB Local if
 * needed and starts it. What test setups call, so a developer can point tests at a running server.
 */
export async function useDynamoDb(options: StartDynamoDbOptions = {}): Promise<DynamoDbServer> {
  const external = (options.env ?? process.env)['DYNAMODB_ENDPOINT'];
  if (external !== undefined && external !== '') return connectDynamoDb(external);
  return startDynamoDb(options);
}

/** The DynamoDB-API server at `endpoint`, after checking that it answers ListTables. */
export async function connectDynamoDb(endpoint: string): Promise<DynamoDbServer> {
  const bare = endpoint.replace(/\/+$/, '');
  let response: Response;
  try {
    response = await listTables(bare, 10_000);
  } catch (error) {
    throw new TestkitError(`DYNAMODB_ENDPOINT=${bare} is not reachable: ${describeFetchError(error)}`);
  }
  if (response.status !== 200) {
    const body = await response.text();
    throw new TestkitError(
      `DYNAMODB_ENDPOINT=${bare} answered ListTables with HTTP ${response.status}: ${body.slice(0, 500)}`,
    );
  }
  await response.body?.cancel();
  return {
    endpoint: bare,
    clientConfig: dynamoDbClientConfig(bare),
    external: true,
    // Not ours: other runs or people may be using it.
    stop: async () => {},
  };
}

/**
 * Starts DynamoDB Local (fetching it first if needed) in memory on a free port, resolving once it
 * answers ListTables: about 2 s, 125 MB of memory when idle. -sharedDb makes every client see the
 * same tables whatever region or credentials it is configured with. The tables live only as long as
 * the process; TTL can be enabled but DynamoDB Local never deletes expired items.
 */
export async function startDynamoDb(options: StartDynamoDbOptions = {}): Promise<DynamoDbServer> {
  const env = options.env ?? process.env;
  const version = options.version ?? dynamoDbLocalVersion(env);
  // Java first: without it the download would be wasted, and its message is the one to show.
  const java = await findJava(env, DYNAMODB_JAVA_MISSING);
  const installDir = options.installDir ?? (await fetchDynamoDbLocal({ ...options, version }));
  const log = options.log ?? (() => {});
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  for (let attempt = 1; ; attempt++) {
    // It binds 0.0.0.0 (it has no option for the address), so the port must be free on every interface.
    const port = options.port ?? (await freePort('0.0.0.0'));
    const server = new LocalDynamoDb({
      java: join(java.home, 'bin', 'java'),
      installDir,
      version,
      port,
      env,
      onOutput: options.onOutput,
    });
    log(`starting DynamoDB Local ${version} at ${server.endpoint}`);
    try {
      await server.waitUntilReady(timeoutMs);
      return server;
    } catch (error) {
      await server.stop();
      const retry = server.bindFailed && options.port === undefined && attempt < PORT_ATTEMPTS;
      if (!retry) throw error;
      log(`port ${port} was taken before DynamoDB Local could bind it; retrying with another`);
    }
  }
}

/** ListTables with the headers DynamoDB Local insists on; resolves with any HTTP answer. */
function listTables(endpoint: string, timeoutMs: number, cancel?: AbortSignal): Promise<Response> {
  const timeout = AbortSignal.timeout(timeoutMs);
  return fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.ListTables',
      authorization: AUTHORIZATION,
    },
    body: '{}',
    signal: cancel === undefined ? timeout : AbortSignal.any([timeout, cancel]),
  });
}

interface ServerConfig {
  readonly java: string;
  readonly installDir: string;
  readonly version: string;
  readonly port: number;
  readonly env: NodeJS.ProcessEnv;
  readonly onOutput: ((line: string) => void) | undefined;
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly error?: Error;
}

class LocalDynamoDb implements DynamoDbServer {
  readonly external = false;
  readonly endpoint: string;
  readonly clientConfig: DynamoDbClientConfig;
  readonly #config: ServerConfig;
  readonly #child: ChildProcess;
  readonly #exited: Promise<Exit>;
  #exit: Exit | undefined;
  readonly #output = new OutputTail();
  #bindFailed = false;
  /**
   * Aborted when the process exits: a readiness request must not wait for its timeout on whatever
   * else holds the port (a server that accepts the connection and never answers).
   */
  readonly #gaveUp = new AbortController();
  /** The last exception message it printed: the reason a failed start gives first. */
  #lastException: string | undefined;
  #stopping: Promise<void> | undefined;

  constructor(config: ServerConfig) {
    this.#config = config;
    this.endpoint = `http://127.0.0.1:${config.port}`;
    this.clientConfig = dynamoDbClientConfig(this.endpoint);
    const { installDir } = config;
    const args = [
      // Where sqlite4java loads its native library from (it also tries the dir of its own jar, the
      // same dir here, but that is undocumented).
      `-Djava.library.path=${installDir}`,
      '-cp',
      // The jar's manifest Class-Path names a DynamoDBLocal_lib/ that only AWS's own zip has.
      join(installDir, '*'),
      MAIN_CLASS,
      '-inMemory',
      '-sharedDb',
      // Also keeps it from writing dynamodb-local-metadata.json into its working directory.
      '-disableTelemetry',
      '-port',
      String(config.port),
    ];
    // setpriv's --pdeathsig stops the JVM if this process dies without stop() or its 'exit' event.
    const setpriv = findExecutable('setpriv', config.env);
    const [command, commandArgs] =
      setpriv === undefined
        ? [config.java, args]
        : [setpriv, ['--pdeathsig', 'SIGTERM', config.java, ...args]];
    const child = spawn(command, commandArgs, {
      cwd: tmpdir(),
      env: withoutJavaOptions(config.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    this.#exited = new Promise<Exit>((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('exit', (code, signal) => {
        // 'close' also waits for the output pipes, so the last lines (the exception) are in the tail.
        const done = (): void => resolve({ code, signal });
        child.once('close', done);
        setTimeout(done, 1_000).unref();
      });
    }).then((exit) => {
      this.#exit = exit;
      this.#gaveUp.abort();
      process.off('exit', this.#killOnExit);
      return exit;
    });
    const onData = (chunk: Buffer): void => {
      for (const line of this.#output.push(chunk)) {
        if (BIND_FAILURE.test(line)) this.#bindFailed = true;
        const exception = EXCEPTION_LINE.exec(line);
        if (exception?.[1] !== undefined) this.#lastException = exception[1];
        this.#config.onOutput?.(line);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    process.on('exit', this.#killOnExit);
  }

  get bindFailed(): boolean {
    return this.#bindFailed;
  }

  /**
   * Polls ListTables until it answers 200 with a table list. Refused connections are the JVM still
   * starting; a 4xx is a request it will never accept (fail now); a 5xx may be a server still
   * initialising, and a 200 without TableNames something else on the port (retry until it exits).
   */
  async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    for (;;) {
      if (this.#exit !== undefined) {
        throw this.#failure(`exited (${describeExit(this.#exit)}) before it answered ListTables`);
      }
      if (Date.now() > deadline) {
        const seconds = Math.round(timeoutMs / 1000);
        throw this.#failure(`did not answer ListTables within ${seconds} s; last attempt: ${last}`);
      }
      try {
        const response = await listTables(this.endpoint, 5_000, this.#gaveUp.signal);
        const body = await response.text();
        if (response.status === 200 && isTableList(body)) return;
        last = `HTTP ${response.status} ${body.slice(0, 300)}`;
        if (response.status < 500) throw this.#failure(`refused ListTables: ${last}`);
      } catch (error) {
        if (error instanceof TestkitError) throw error;
        last = describeFetchError(error);
      }
      await Promise.race([sleep(100), this.#exited]);
    }
  }

  #failure(what: string): TestkitError {
    const hint = this.#bindFailed ? ` (port ${this.#config.port} is in use)` : '';
    const reason = this.#lastException === undefined ? '' : `: ${this.#lastException}`;
    return new TestkitError(
      `DynamoDB Local ${this.#config.version} at ${this.endpoint} ${what}${hint}${reason}\n` +
        `Its last output:\n${this.#output.text()}`,
    );
  }

  /** SIGTERM, then SIGKILL if it has not exited after the grace period; resolves once it has exited. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      if (this.#exit === undefined) {
        this.#child.kill('SIGTERM');
        const kill = setTimeout(() => this.#child.kill('SIGKILL'), STOP_GRACE_MS);
        await this.#exited;
        clearTimeout(kill);
      }
    })();
    return this.#stopping;
  }

  /** If the process exits without stop() (a test run interrupted): 'exit' listeners cannot wait. */
  readonly #killOnExit = (): void => {
    if (this.#exit === undefined) this.#child.kill('SIGKILL');
  };
}

function isTableList(body: string): boolean {
  try {
    return Array.isArray((JSON.parse(body) as { TableNames?: unknown }).TableNames);
  } catch {
    return false;
  }
}

/** JAVA_TOOL_OPTIONS and _JAVA_OPTIONS would change the JVM and print a line on every start. */
function withoutJavaOptions(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { JAVA_TOOL_OPTIONS: _toolOptions, _JAVA_OPTIONS: _options, ...rest } = env;
  return rest;
}

function describeExit(exit: Exit): string {
  if (exit.error !== undefined) return `could not be started: ${exit.error.message}`;
  return exit.signal === null ? `exit code ${exit.code}` : `signal ${exit.signal}`;
}
