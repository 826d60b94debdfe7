import { chmod, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MissingPrerequisiteError, TestkitError } from './errors.ts';
import { findExecutable, lastLines, run } from './exec.ts';

/**
 * Extracts a zip into `into`. Node has no zip reader, so this uses `unzip`, else the JDK's `jar`
 * (present wherever Maven runs). `jar` drops the executable bits, so they are restored on bin/.
 */
export async function unpackZip(
  zip: string,
  into: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const unzip = findExecutable('unzip', env);
  if (unzip !== undefined) {
    const result = await run(unzip, ['-q', '-o', zip, '-d', into], { env });
    if (result.code !== 0) throw unpackFailed(zip, 'unzip', result.output);
    return;
  }
  const jar = findJar(env);
  if (jar === undefined) {
    throw new MissingPrerequisiteError(
      `unpacking ${zip} needs unzip (apt-get install unzip) or a JDK's jar on PATH or in JAVA_HOME`,
    );
  }
  const result = await run(jar, ['xf', zip], { cwd: into, env });
  if (result.code !== 0) throw unpackFailed(zip, 'jar xf', result.output);
  await restoreExecutableBits(into);
}

function findJar(env: NodeJS.ProcessEnv): string | undefined {
  const onPath = findExecutable('jar', env);
  if (onPath !== undefined) return onPath;
  for (const home of [env['OPENSEARCH_JAVA_HOME'], env['JAVA_HOME']]) {
    if (home === undefined || home === '') continue;
    const jar = findExecutable('jar', { PATH: join(home, 'bin') });
    if (jar !== undefined) return jar;
  }
  return undefined;
}

/** Marks every extension-less file in a `bin/` directory executable (the shell launchers). */
async function restoreExecutableBits(root: string): Promise<void> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    const inBin = entry.parentPath.endsWith('/bin');
    if (entry.isFile() && inBin && !entry.name.includes('.')) {
      await chmod(join(entry.parentPath, entry.name), 0o755);
    }
  }
}

function unpackFailed(zip: string, tool: string, output: string): TestkitError {
  return new TestkitError(`${tool} could not unpack ${zip}:\n${lastLines(output)}`);
}
