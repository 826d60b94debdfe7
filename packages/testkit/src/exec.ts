import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The absolute path of `name` on `env.PATH`, or undefined. Checked before spawning so a missing
 * tool becomes a message naming the package to install, not a bare ENOENT.
 */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here: try the next PATH entry.
    }
  }
  return undefined;
}

/** The last `limit` lines of a process's output: what an error message shows when it dies. */
export class OutputTail {
  readonly #lines: string[] = [];
  #partial = '';

  constructor(private readonly limit = 40) {}

  /** Adds a chunk of output; returns the complete lines it finished, for callers that stream them. */
  push(chunk: Buffer | string): string[] {
    const parts = (this.#partial + chunk.toString()).split('\n');
    this.#partial = parts.pop() ?? '';
    for (const line of parts) {
      this.#lines.push(line);
      if (this.#lines.length > this.limit) this.#lines.shift();
    }
    return parts;
  }

  /** The kept lines (plus an unfinished last line), indented for embedding in a message. */
  text(indent = '  '): string {
    const lines = this.#partial === '' ? this.#lines : [...this.#lines, this.#partial];
    if (lines.length === 0) return `${indent}(no output)`;
    return lines.map((line) => indent + line).join('\n');
  }
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved, as a person would have seen them. */
  readonly output: string;
}

/** Runs a command to completion, capturing its output. Rejects only when it cannot be started. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve({ code, signal, output: Buffer.concat(chunks).toString() }),
    );
  });
}

// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const ANSI_ESCAPE = /\x1b\[[0-9;]*[A-Za-z]/g;

/** The last `count` lines of `text`, indented: long tool output trimmed to what explains a failure. */
export function lastLines(text: string, count = 40, indent = '  '): string {
  // Maven colours its output even in batch mode; escape codes only garble a message.
  const lines = text.replace(ANSI_ESCAPE, '').trimEnd().split('\n');
  const shown = lines.slice(-count).map((line) => indent + line);
  if (lines.length > count) shown.unshift(`${indent}... (${lines.length - count} earlier lines)`);
  return shown.join('\n');
}
