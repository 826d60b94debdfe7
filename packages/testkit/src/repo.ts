import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestkitError } from './errors.ts';

/**
 * The monorepo root: the nearest directory above `from` holding pnpm-workspace.yaml. Caches live
 * under its `.tools/` (git-ignored), so every package's tests share one OpenSearch download.
 */
export function findRepoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new TestkitError(`no pnpm-workspace.yaml in ${from} or any directory above it`);
    dir = parent;
  }
}
