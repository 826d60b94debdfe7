import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Checkpoint,
  CheckpointError,
  defaultCheckpointPath,
  readCheckpoint,
  replayIdentity,
} from '../../src/replay/checkpoint.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'replay-checkpoint-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const identity = replayIdentity({
  bucket: 'central-archive',
  prefix: 'archive/',
  filter: { since: Date.parse('2023-11-14T00:00:00Z'), accounts: new Set(['222233334444', '111122223333']) },
  indexPrefix: 'logs',
  target: 'https://search.example:443',
});

describe('checkpoint', () => {
  it('round-trips completed objects with their ETags', async () => {
    const path = join(dir, 'nested', 'cp.json');
    const first = await Checkpoint.open(path, identity, { flushIntervalMs: 60_000 });
    first.complete('archive/a.json.gz', 'etag-a');
    first.complete('archive/b.json.gz', 'etag-b');
    await first.close();

    const second = await Checkpoint.open(path, identity);
    expect(second.size).toBe(2);
    expect(second.isDone('archive/a.json.gz', 'etag-a')).toBe(true);
    // Rewritten since: a new ETag is a new object.
    expect(second.isDone('archive/b.json.gz', 'etag-changed')).toBe(false);
    expect(second.isDone('archive/c.json.gz', 'etag-c')).toBe(false);
    await second.close();

    const file = await readCheckpoint(path);
    expect(file).toMatchObject({ version: 1, identity, completed: { 'archive/a.json.gz': 'etag-a' } });
    // Written through a temp file and a rename: nothing else is left beside it.
    expect(await readdir(join(dir, 'nested'))).toEqual(['cp.json']);
  });

  it('writes on its own after the flush interval', async () => {
    const path = join(dir, 'cp.json');
    const checkpoint = await Checkpoint.open(path, identity, { flushIntervalMs: 10 });
    checkpoint.complete('k', 'e');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await readCheckpoint(path))?.completed).toEqual({ k: 'e' });
    await checkpoint.close();
  });

  it("refuses another replay's checkpoint, and --restart ignores it", async () => {
    const path = join(dir, 'cp.json');
    const cp = await Checkpoint.open(path, identity);
    cp.complete('k', 'e');
    await cp.close();
    const other = { ...identity, prefix: 'errors/' };
    await expect(Checkpoint.open(path, other)).rejects.toThrow(/belongs to another replay/);
    const restarted = await Checkpoint.open(path, other, { restart: true });
    expect(restarted.size).toBe(0);
    restarted.complete('x', 'y');
    await restarted.close();
    expect((await readCheckpoint(path))?.identity.prefix).toBe('errors/');
  });

  it('says so when the file is damaged instead of starting over silently', async () => {
    const path = join(dir, 'cp.json');
    await writeFile(path, '{"version":1,"completed":');
    await expect(Checkpoint.open(path, identity)).rejects.toThrow(CheckpointError);
    await writeFile(path, '{"version":2}');
    await expect(Checkpoint.open(path, identity)).rejects.toThrow(/not a version 1/);
    expect(await readCheckpoint(join(dir, 'missing.json'))).toBeUndefined();
  });

  it('derives a default path per replay', () => {
    const a = defaultCheckpointPath(identity, '/cp');
    expect(a).toMatch(/^\/cp\/central-archive-[0-9a-f]{16}\.json$/);
    expect(defaultCheckpointPath({ ...identity }, '/cp')).toBe(a);
    expect(defaultCheckpointPath({ ...identity, datasets: ['aws.vpcflow'] }, '/cp')).not.toBe(a);
    expect(defaultCheckpointPath({ ...identity, target: 'http://127.0.0.1:9200' }, '/cp')).not.toBe(a);
  });

  it('records the identity in a stable form', async () => {
    expect(identity).toEqual({
      bucket: 'central-archive',
      prefix: 'archive/',
      since: '2023-11-14T00:00:00.000Z',
      until: null,
      accounts: ['111122223333', '222233334444'],
      datasets: [],
      indexPrefix: 'logs',
      target: 'https://search.example:443',
    });
    const path = join(dir, 'cp.json');
    const cp = await Checkpoint.open(path, identity);
    cp.complete('k', 'e');
    await cp.close();
    expect(JSON.parse(await readFile(path, 'utf8'))).toHaveProperty('updatedAt');
  });
});
