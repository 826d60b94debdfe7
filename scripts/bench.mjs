// `pnpm bench`: builds, then runs every project's `bench` script one after another (so they do not
// compete for the 2 cores) and prints one JSON object keyed by project.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const projects = ['packages', 'apps']
  .flatMap((dir) =>
    existsSync(join(root, dir)) ? readdirSync(join(root, dir)).map((name) => join(root, dir, name)) : [],
  )
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ pkg }) => pkg.scripts?.bench !== undefined);

execFileSync('pnpm', ['exec', 'nx', 'run-many', '-t', 'build', '--outputStyle=static'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});

const results = {};
for (const { dir, pkg } of projects) {
  process.stderr.write(`bench: ${pkg.name}\n`);
  const out = execFileSync('pnpm', ['--silent', 'run', 'bench'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'inherit'],
  }).toString();
  results[pkg.name] = JSON.parse(out);
}
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
