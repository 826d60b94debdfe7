import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MissingPrerequisiteError } from './errors.ts';
import { findExecutable, run } from './exec.ts';

/** OpenSearch 2.x refuses older JVMs (its JavaVersionChecker); the integ-test zip bundles none. */
export const MINIMUM_JAVA_VERSION = 17;

export const JAVA_MISSING =
  `OpenSearch integration tests need Java ${MINIMUM_JAVA_VERSION}+ (apt-get install openjdk-17-jre-headless) ` +
  'or OPENSEARCH_URL pointing at an existing cluster';

export interface JavaInstallation {
  /** The JDK/JRE home: what OPENSEARCH_JAVA_HOME is set to for the node. */
  readonly home: string;
  /** The feature release, e.g. 17. */
  readonly version: number;
  /** Where it was found, for messages. */
  readonly source: 'OPENSEARCH_JAVA_HOME' | 'JAVA_HOME' | 'PATH';
}

/**
 * Finds a Java 17+ home in the order OpenSearch's own launcher looks (OPENSEARCH_JAVA_HOME, then
 * JAVA_HOME), then `java` on PATH resolved through its symlinks (/usr/bin/java → alternatives →
 * /usr/lib/jvm/<jdk>/bin/java). A candidate that is too old is skipped but named in the error.
 * `missing` starts that error: what needs Java and the alternative (DynamoDB Local says
 * DYNAMODB_ENDPOINT where OpenSearch says OPENSEARCH_URL).
 */
export async function findJava(
  env: NodeJS.ProcessEnv = process.env,
  missing: string = JAVA_MISSING,
): Promise<JavaInstallation> {
  const candidates: { home: string; source: JavaInstallation['source'] }[] = [];
  for (const source of ['OPENSEARCH_JAVA_HOME', 'JAVA_HOME'] as const) {
    const home = env[source];
    if (home !== undefined && home !== '') candidates.push({ home, source });
  }
  const onPath = findExecutable('java', env);
  if (onPath !== undefined) candidates.push({ home: dirname(dirname(realpathSync(onPath))), source: 'PATH' });

  const rejected: string[] = [];
  for (const candidate of candidates) {
    const version = await javaVersion(candidate.home);
    if (version !== undefined && version >= MINIMUM_JAVA_VERSION) return { ...candidate, version };
    const found = version === undefined ? 'no working bin/java' : `Java ${version}`;
    rejected.push(`${candidate.source}=${candidate.home}: ${found}`);
  }
  const detail = rejected.length === 0 ? 'no java on PATH, JAVA_HOME unset' : rejected.join('; ');
  throw new MissingPrerequisiteError(`${missing} (${detail})`);
}

/** The feature release of `<home>/bin/java`, from `java -version` ("17.0.15" → 17, "1.8.0_392" → 8). */
async function javaVersion(home: string): Promise<number | undefined> {
  const java = join(home, 'bin', 'java');
  if (!existsSync(java)) return undefined;
  try {
    const { code, output } = await run(java, ['-version']);
    return code === 0 ? parseJavaVersion(output) : undefined;
  } catch {
    return undefined;
  }
}

/** Parses the first line of `java -version` output (it goes to stderr; we get both streams). */
export function parseJavaVersion(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (match === null) return undefined;
  const major = Number(match[1]);
  // Before Java 9 the scheme was 1.<feature>.
  return major === 1 && match[2] !== undefined ? Number(match[2]) : major;
}
