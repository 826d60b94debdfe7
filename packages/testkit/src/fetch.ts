import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MissingPrerequisiteError, TestkitError } from './errors.ts';
import { findExecutable, lastLines, run } from './exec.ts';
import { findRepoRoot } from './repo.ts';
import { unpackZip } from './unpack.ts';

/** The newest 2.x on Maven Central as an integ-test zip (2.19.7+ are not published there). */
export const DEFAULT_OPENSEARCH_VERSION = '2.19.6';

/**
 * The integ-test distribution: the server with only the transport module, no bundled JDK, no
 * security plugin (plain HTTP, no passwords) and no other plugins (no _reindex, painless or
 * update/delete_by_query). Small (56 MB) and on Maven Central, which CI can reach.
 */
const GROUP_PATH = 'org/opensearch/distribution/integ-test-zip/opensearch';
const ARTIFACT = 'org.opensearch.distribution.integ-test-zip:opensearch';

export interface FetchOpenSearchOptions {
  /** Defaults to OPENSEARCH_VERSION, else {@link DEFAULT_OPENSEARCH_VERSION}. */
  readonly version?: string;
  /** Where unpacked versions are kept; defaults to `<repo>/.tools/opensearch`. */
  readonly cacheDir?: string;
  /** Progress messages (fetching, unpacking); silent by default. */
  readonly log?: (message: string) => void;
  /** Environment to read PATH and OPENSEARCH_VERSION from; defaults to process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The version to run: OPENSEARCH_VERSION when set, else the default. */
export function opensearchVersion(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['OPENSEARCH_VERSION'];
  return fromEnv === undefined || fromEnv === '' ? DEFAULT_OPENSEARCH_VERSION : fromEnv;
}

/**
 * Makes sure OpenSearch `version` is unpacked under the cache dir and returns that install dir.
 * Does nothing when it already is; otherwise takes the zip from the local Maven repository, asking
 * Maven to download it first when it is not there. Safe to run concurrently: each run unpacks into
 * its own staging dir and moves it into place with one rename.
 */
export async function fetchOpenSearch(options: FetchOpenSearchOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const version = options.version ?? opensearchVersion(env);
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    throw new TestkitError(`OpenSearch version "${version}" is not of the form 2.19.6 (OPENSEARCH_VERSION)`);
  }
  const log = options.log ?? (() => {});
  const cacheDir = options.cacheDir ?? join(findRepoRoot(), '.tools', 'opensearch');
  const installDir = join(cacheDir, version);
  if (isInstalled(installDir)) return installDir;

  const repository = join(homedir(), '.m2', 'repository');
  const zip = join(repository, GROUP_PATH, version, `opensearch-${version}.zip`);
  if (!existsSync(zip)) {
    log(`fetching OpenSearch ${version} from Maven Central`);
    await mavenGet(version, repository, env);
    if (!existsSync(zip))
      throw new TestkitError(`Maven fetched ${ARTIFACT}:${version}:zip but ${zip} is missing`);
  }

  log(`unpacking OpenSearch ${version} into ${installDir}`);
  await mkdir(cacheDir, { recursive: true });
  const staging = await mkdtemp(join(cacheDir, `.unpack-${version}-`));
  try {
    await unpackZip(zip, staging, env);
    const unpacked = join(staging, `opensearch-${version}`);
    if (!isInstalled(unpacked)) {
      throw new TestkitError(`${zip} does not contain opensearch-${version}/bin/opensearch`);
    }
    try {
      await rename(unpacked, installDir);
    } catch (error) {
      // Another process finished first: its copy is as good as ours.
      if (!isInstalled(installDir)) throw error;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return installDir;
}

function isInstalled(dir: string): boolean {
  return existsSync(join(dir, 'bin', 'opensearch'));
}

/**
 * `mvn dependency:get` puts the zip into the local Maven repository (~11 s on a fresh machine). The
 * repository is named explicitly so the zip lands where we look, whatever settings.xml or Java's
 * idea of the home directory say.
 */
async function mavenGet(version: string, repository: string, env: NodeJS.ProcessEnv): Promise<void> {
  const mvn = findExecutable('mvn', env);
  if (mvn === undefined) {
    throw new MissingPrerequisiteError(
      `fetching OpenSearch ${version} needs Maven (apt-get install maven) and Java 17+, ` +
        'or OPENSEARCH_URL pointing at an existing cluster',
    );
  }
  const args = [
    '-q',
    '-B',
    'dependency:get',
    `-Dartifact=${ARTIFACT}:${version}:zip`,
    '-Dtransitive=false',
    `-Dmaven.repo.local=${repository}`,
  ];
  // Outside the repo so that no pom.xml in the working directory changes what Maven does.
  const result = await run(mvn, args, { cwd: tmpdir(), env });
  if (result.code !== 0) {
    throw new TestkitError(
      `mvn ${args.join(' ')} failed (exit ${result.code ?? result.signal}); is ${version} published on ` +
        `Maven Central (2.19.6 is the newest 2.x)? Its output:\n${lastLines(result.output)}`,
    );
  }
}
