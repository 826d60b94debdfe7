import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { chmod, cp, lchown, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MissingPrerequisiteError, TestkitError } from './errors.ts';
import { findExecutable, OutputTail } from './exec.ts';
import { fetchOpenSearch, opensearchVersion, type FetchOpenSearchOptions } from './fetch.ts';
import { describeFetchError, redactUrl, requestOpenSearch } from './http.ts';
import { findJava } from './java.ts';
import { freePort } from './ports.ts';

export { DEFAULT_OPENSEARCH_VERSION, fetchOpenSearch, type FetchOpenSearchOptions } from './fetch.ts';

/** A running OpenSearch node: one this process started, or the cluster OPENSEARCH_URL names. */
export interface OpenSearchNode {
  /** Base URL without a trailing slash; for OPENSEARCH_URL that URL as given, credentials included. */
  readonly url: string;
  /** The version it runs, e.g. "2.19.6". */
  readonly version: string;
  /** True for OPENSEARCH_URL: this process did not start it, so it neither stops nor restarts it. */
  readonly external: boolean;
  /** The temp dir holding the node's data and logs (removed by stop); undefined when external. */
  readonly workDir: string | undefined;
  /** Stops the node and removes its data; resolves once the process has exited. No-op when external. */
  stop(): Promise<void>;
  /**
   * Stops the node and starts it again on the same port with the same data, resolving once it is
   * healthy again: a fault test's "node restarted mid-run". Throws for an external cluster.
   */
  restart(): Promise<void>;
}

export interface StartOpenSearchOptions extends FetchOpenSearchOptions {
  /** An unpacked OpenSearch to run instead of fetching one (the dir holding bin/opensearch). */
  readonly installDir?: string;
  /** JVM heap (-Xms and -Xmx), e.g. "768m"; defaults to OPENSEARCH_HEAP, else "512m". */
  readonly heap?: string;
  /** The HTTP port; a free one by default. A fixed port that is taken fails the start. */
  readonly httpPort?: number;
  /** How long to wait for a yellow cluster, per start and per restart; default 120 s. */
  readonly startTimeoutMs?: number;
  /** Extra node settings, passed as -E<key>=<value> (they win over the defaults here). */
  readonly settings?: Readonly<Record<string, string | number | boolean>>;
  /** Receives every line the node prints (it is quiet otherwise; failures quote the last lines). */
  readonly onOutput?: (line: string) => void;
}

/** The user OpenSearch runs as when we are root: it refuses to run as root, and CI runs as root. */
const UNPRIVILEGED_ID = 65534;
const DEFAULT_START_TIMEOUT_MS = 120_000;
/** A node shuts down in about 2 s on SIGTERM; one that has not after this is killed. */
const STOP_GRACE_MS = 15_000;
/** Attempts with fresh ports when another process took a port between our check and the bind. */
const PORT_ATTEMPTS = 3;
const BIND_FAILURE = /BindHttpException|BindTransportException|Address already in use/;
/** A Java exception's message line ("Caused by: x.y.FooException: why"), not a stack frame. */
const EXCEPTION_LINE = /^\s*(?:Caused by: )?[\w.$]+(?:Exception|Error): \S/;
const HEALTH_PATH = '_cluster/health?wait_for_status=yellow&timeout=1s';

/**
 * OPENSEARCH_URL set: that cluster (checked with GET /). Otherwise fetches OpenSearch if needed and
 * starts a local node. What test setups call, so a developer can point tests at a running cluster.
 */
export async function useOpenSearch(options: StartOpenSearchOptions = {}): Promise<OpenSearchNode> {
  const external = (options.env ?? process.env)['OPENSEARCH_URL'];
  if (external !== undefined && external !== '') return connectOpenSearch(external);
  return startOpenSearch(options);
}

/** The cluster at `url` (credentials allowed: https://user:pass@host:9200), after checking it answers. */
export async function connectOpenSearch(url: string): Promise<OpenSearchNode> {
  const shown = redactUrl(url);
  let response: Response;
  try {
    response = await requestOpenSearch(url, '/');
  } catch (error) {
    throw new TestkitError(`OPENSEARCH_URL=${shown} is not reachable: ${describeFetchError(error)}`);
  }
  const body = await response.text();
  if (!response.ok) {
    throw new TestkitError(`OPENSEARCH_URL=${shown} answered GET / with HTTP ${response.status}: ${body}`);
  }
  let version = 'unknown';
  try {
    const number = (JSON.parse(body) as { version?: { number?: unknown } }).version?.number;
    if (typeof number === 'string') version = number;
  } catch {
    // Something that is not OpenSearch-shaped answered; the tests will say more than we can.
  }
  return {
    url: url.replace(/\/+$/, ''),
    version,
    external: true,
    workDir: undefined,
    // Not ours: other runs or people may be using it.
    stop: async () => {},
    restart: async () => {
      throw new TestkitError(`cannot restart an external cluster (OPENSEARCH_URL=${shown})`);
    },
  };
}

/**
 * Starts a local OpenSearch node (fetching it first if needed) on free ports with a fresh data dir,
 * resolving once the cluster is yellow, which is as green as one node gets with the default of one
 * replica. Takes about 8 s and 720 MB of memory.
 */
export async function startOpenSearch(options: StartOpenSearchOptions = {}): Promise<OpenSearchNode> {
  const env = options.env ?? process.env;
  const version = options.version ?? opensearchVersion(env);
  // Java first: without it the download would be wasted, and its message is the one to show.
  const java = await findJava(env);
  const heap = parseHeap(options.heap ?? env['OPENSEARCH_HEAP'] ?? '512m');
  const installDir = options.installDir ?? (await fetchOpenSearch({ ...options, version }));

  const asRoot = process.getuid?.() === 0;
  // setpriv drops root, and its --pdeathsig stops the node if this process dies without stop().
  const setpriv = findExecutable('setpriv', env);
  if (asRoot && setpriv === undefined) {
    throw new MissingPrerequisiteError(
      'OpenSearch refuses to run as root, and dropping to uid 65534 needs setpriv (apt-get install util-linux); ' +
        'or run the tests as another user, or set OPENSEARCH_URL',
    );
  }
  const dirs = await prepareWorkDir(installDir, asRoot);
  const node = new LocalOpenSearchNode({
    version,
    dirs,
    setpriv,
    asRoot,
    startTimeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
    settings: options.settings ?? {},
    onOutput: options.onOutput,
    log: options.log ?? (() => {}),
    env: {
      ...withoutOpenSearchVariables(env),
      OPENSEARCH_JAVA_HOME: java.home,
      OPENSEARCH_JAVA_OPTS: `-Xms${heap} -Xmx${heap}`,
      OPENSEARCH_PATH_CONF: dirs.config,
      OPENSEARCH_TMPDIR: dirs.tmp,
      ...(asRoot ? { HOME: dirs.home } : {}),
    },
  });
  try {
    await node.launch({ httpPort: options.httpPort });
  } catch (error) {
    await node.stop();
    throw error;
  }
  return node;
}

interface WorkDirs {
  readonly root: string;
  /** The install to run: the cached one, or a copy the unprivileged user can read when we are root. */
  readonly install: string;
  readonly config: string;
  readonly data: string;
  readonly logs: string;
  readonly tmp: string;
  /** HOME for the unprivileged user, whose own (/nonexistent) does not exist. */
  readonly home: string;
}

/**
 * One temp dir per node for everything it writes: its own copy of config/ (OpenSearch writes its
 * keystore there, and jvm.options points the GC log and heap dumps at relative paths in the install
 * dir, which concurrent nodes would share), data, logs and JVM temp files. As root, also a copy of
 * the install (56 MB, well under a second) so the repo's parent dirs need not be readable by nobody.
 */
async function prepareWorkDir(installDir: string, asRoot: boolean): Promise<WorkDirs> {
  const root = await mkdtemp(join(tmpdir(), 'central-logging-opensearch-'));
  try {
    const dirs: WorkDirs = {
      root,
      install: asRoot ? join(root, 'install') : installDir,
      config: join(root, 'config'),
      data: join(root, 'data'),
      logs: join(root, 'logs'),
      tmp: join(root, 'tmp'),
      home: join(root, 'home'),
    };
    if (asRoot) await cp(installDir, dirs.install, { recursive: true });
    await cp(join(dirs.install, 'config'), dirs.config, { recursive: true });
    // A read-only install (a shared cache) gives a read-only copy; the node writes its keystore here.
    await makeOwnerWritable(dirs.config);
    for (const dir of [dirs.data, dirs.logs, dirs.tmp, dirs.home]) await mkdir(dir);
    const jvmOptions = join(dirs.config, 'jvm.options');
    const options = await readFile(jvmOptions, 'utf8');
    await writeFile(
      jvmOptions,
      options
        .replace(/(?<=[=:])logs\//g, `${dirs.logs}/`)
        .replace(/HeapDumpPath=data$/m, `HeapDumpPath=${dirs.data}`),
    );
    if (asRoot) await chownTree(root, UNPRIVILEGED_ID);
    return dirs;
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

async function makeOwnerWritable(root: string): Promise<void> {
  await chmod(root, 0o700);
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    await chmod(path, entry.isDirectory() ? 0o700 : 0o600);
  }
}

async function chownTree(root: string, id: number): Promise<void> {
  await lchown(root, id, id);
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    await lchown(join(entry.parentPath, entry.name), id, id);
  }
}

/**
 * The caller's environment minus what would point the launcher at another install or config, or
 * override the heap (the launcher would also warn about JAVA_TOOL_OPTIONS on every start).
 */
function withoutOpenSearchVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const {
    OPENSEARCH_HOME: _home,
    OPENSEARCH_PATH_CONF: _config,
    OPENSEARCH_JAVA_OPTS: _javaOptions,
    JAVA_TOOL_OPTIONS: _toolOptions,
    ...rest
  } = env;
  return rest;
}

function parseHeap(heap: string): string {
  if (!/^\d+[kmg]$/i.test(heap)) {
    throw new TestkitError(`OpenSearch heap "${heap}" (OPENSEARCH_HEAP) must look like 512m or 1g`);
  }
  return heap;
}

interface NodeConfig {
  readonly version: string;
  readonly dirs: WorkDirs;
  readonly setpriv: string | undefined;
  readonly asRoot: boolean;
  readonly startTimeoutMs: number;
  readonly settings: Readonly<Record<string, string | number | boolean>>;
  readonly onOutput: ((line: string) => void) | undefined;
  readonly log: (message: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly error?: Error;
}

class LocalOpenSearchNode implements OpenSearchNode {
  readonly external = false;
  readonly #config: NodeConfig;
  #httpPort = 0;
  #transportPort = 0;
  #child: ChildProcess | undefined;
  #exited: Promise<Exit> | undefined;
  #exit: Exit | undefined;
  #output = new OutputTail();
  #bindFailed = false;
  /** The last exception message the node printed: the reason a failed start gives first. */
  #lastException: string | undefined;
  #stopped = false;
  /** stop() and restart() run one at a time, in call order. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(config: NodeConfig) {
    this.#config = config;
    process.on('exit', this.#killOnExit);
  }

  get url(): string {
    return `http://127.0.0.1:${this.#httpPort}`;
  }

  get version(): string {
    return this.#config.version;
  }

  get workDir(): string {
    return this.#config.dirs.root;
  }

  /** First start: free ports (new ones if a port is taken meanwhile) unless the caller fixed one. */
  async launch(options: { httpPort: number | undefined }): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.#httpPort = options.httpPort ?? (await freePort());
      this.#transportPort = await freePort();
      try {
        await this.#run();
        return;
      } catch (error) {
        const retry = this.#bindFailed && options.httpPort === undefined && attempt < PORT_ATTEMPTS;
        if (!retry) throw error;
        this.#config.log(`a port was taken before OpenSearch could bind it; retrying with new ports`);
      }
    }
  }

  stop(): Promise<void> {
    return this.#serialize(async () => {
      if (this.#stopped) return;
      this.#stopped = true;
      await this.#terminate();
      process.off('exit', this.#killOnExit);
      await rm(this.#config.dirs.root, { recursive: true, force: true });
    });
  }

  restart(): Promise<void> {
    return this.#serialize(async () => {
      if (this.#stopped) throw new TestkitError('restart() called on an OpenSearch node that was stopped');
      await this.#terminate();
      // Same ports (clients keep their URL) and same data dir: a restart, not a new node.
      await this.#run();
    });
  }

  #serialize(operation: () => Promise<void>): Promise<void> {
    const result = this.#queue.then(operation, operation);
    this.#queue = result.catch(() => {});
    return result;
  }

  /** Spawns the node and waits until it is healthy; on failure the process is stopped again. */
  async #run(): Promise<void> {
    const config = this.#config;
    config.log(`starting OpenSearch ${config.version} at ${this.url}`);
    this.#spawn();
    try {
      await this.#waitUntilHealthy(Date.now() + config.startTimeoutMs);
    } catch (error) {
      await this.#terminate();
      throw error;
    }
  }

  #spawn(): void {
    const { dirs, asRoot, setpriv, env } = this.#config;
    const settings: Record<string, string | number | boolean> = {
      'cluster.name': 'central-logging-test',
      'discovery.type': 'single-node',
      'network.host': '127.0.0.1',
      'http.port': this.#httpPort,
      'transport.port': this.#transportPort,
      'path.data': dirs.data,
      'path.logs': dirs.logs,
      // A CI disk over 90% full would otherwise stop shard allocation and leave the cluster red.
      'cluster.routing.allocation.disk.threshold_enabled': false,
      'action.auto_create_index': true,
      ...this.#config.settings,
    };
    const launcher = join(dirs.install, 'bin', 'opensearch');
    const args = Object.entries(settings).map(([key, value]) => `-E${key}=${String(value)}`);
    const dropRoot = asRoot
      ? [`--reuid=${UNPRIVILEGED_ID}`, `--regid=${UNPRIVILEGED_ID}`, '--clear-groups']
      : [];
    const [command, commandArgs] =
      setpriv === undefined
        ? [launcher, args]
        : [setpriv, [...dropRoot, '--pdeathsig', 'SIGTERM', launcher, ...args]];

    this.#output = new OutputTail();
    this.#bindFailed = false;
    this.#lastException = undefined;
    this.#exit = undefined;
    const child = spawn(command, commandArgs, { cwd: dirs.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
      return exit;
    });
    const onData = (chunk: Buffer): void => {
      for (const line of this.#output.push(chunk)) {
        if (BIND_FAILURE.test(line)) this.#bindFailed = true;
        if (EXCEPTION_LINE.test(line)) this.#lastException = line.trim().replace(/^Caused by: /, '');
        this.#config.onOutput?.(line);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  }

  async #waitUntilHealthy(deadline: number): Promise<void> {
    let last = 'no answer yet';
    for (;;) {
      if (this.#exit !== undefined) {
        throw this.#failure(`exited (${describeExit(this.#exit)}) before it was healthy`);
      }
      if (Date.now() > deadline) {
        const seconds = Math.round(this.#config.startTimeoutMs / 1000);
        throw this.#failure(`was not healthy (yellow) within ${seconds} s; last health check: ${last}`);
      }
      try {
        // One replica by default, which a single node cannot place: yellow is as healthy as it gets.
        const response = await requestOpenSearch(this.url, HEALTH_PATH, { timeoutMs: 5_000 });
        const body = await response.text();
        if (response.ok) return;
        last = `HTTP ${response.status} ${body.slice(0, 200)}`;
      } catch (error) {
        last = describeFetchError(error);
      }
      await Promise.race([sleep(250), this.#exited]);
    }
  }

  #failure(what: string): TestkitError {
    const hint = this.#bindFailed ? ` (port ${this.#httpPort} or ${this.#transportPort} is in use)` : '';
    const reason = this.#lastException === undefined ? '' : `: ${this.#lastException}`;
    return new TestkitError(
      `OpenSearch ${this.#config.version} at ${this.url} ${what}${hint}${reason}\n` +
        `Its last output:\n${this.#output.text()}`,
    );
  }

  /** SIGTERM, then SIGKILL if it has not exited after the grace period; resolves once it has exited. */
  async #terminate(): Promise<void> {
    const child = this.#child;
    const exited = this.#exited;
    if (child === undefined || exited === undefined || this.#exit !== undefined) return;
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(kill);
  }

  /**
   * If the process exits without stop() (a test run interrupted), kill the node and remove its data
   * synchronously: 'exit' listeners cannot wait. --pdeathsig covers deaths that skip this.
   */
  readonly #killOnExit = (): void => {
    if (this.#exit === undefined) this.#child?.kill('SIGKILL');
    try {
      rmSync(this.#config.dirs.root, { recursive: true, force: true });
    } catch {
      // The node may still be writing as it dies; a leftover temp dir is the lesser evil.
    }
  };
}

function describeExit(exit: Exit): string {
  if (exit.error !== undefined) return `could not be started: ${exit.error.message}`;
  return exit.signal === null ? `exit code ${exit.code}` : `signal ${exit.signal}`;
}
