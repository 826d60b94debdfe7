import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ReplayFilter } from './filter.ts';

/**
 * What makes two replays the same replay: the objects they read, the documents they select and
 * where those go. A checkpoint is only resumed by the replay it belongs to; a wider filter
 * resuming a narrower one's checkpoint would skip objects whose other documents it never indexed.
 */
export interface ReplayIdentity {
  readonly bucket: string;
  readonly prefix: string;
  readonly since: string | null;
  readonly until: string | null;
  readonly accounts: readonly string[];
  readonly datasets: readonly string[];
  readonly indexPrefix: string;
  /** The OpenSearch endpoint (credentials removed): a replay into another cluster starts afresh. */
  readonly target: string | null;
}

/** The checkpoint file: which objects are completely handled, at which ETag. */
export interface CheckpointFile {
  readonly version: 1;
  readonly identity: ReplayIdentity;
  readonly updatedAt: string;
  /** Object key → ETag of the version whose every document was indexed, a duplicate or dead-lettered. */
  readonly completed: Readonly<Record<string, string>>;
}

/** The checkpoint cannot be used: unreadable, or another replay's. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

/** The identity of a replay, in a fixed field order (it is compared and hashed as JSON). */
export function replayIdentity(input: {
  readonly bucket: string;
  readonly prefix: string;
  readonly filter: ReplayFilter;
  readonly indexPrefix: string;
  readonly target?: string | undefined;
}): ReplayIdentity {
  const { filter } = input;
  return {
    bucket: input.bucket,
    prefix: input.prefix,
    since: filter.since === undefined ? null : new Date(filter.since).toISOString(),
    until: filter.until === undefined ? null : new Date(filter.until).toISOString(),
    accounts: [...(filter.accounts ?? [])].sort(),
    datasets: [...(filter.datasets ?? [])].sort(),
    indexPrefix: input.indexPrefix,
    target: input.target ?? null,
  };
}

/**
 * `<dir>/<bucket>-<hash>.json`, the hash taken over the identity: replays with different
 * arguments never share a file, and the same command run again finds its own.
 */
export function defaultCheckpointPath(identity: ReplayIdentity, dir = '.replay-checkpoints'): string {
  const hash = createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 16);
  const bucket = identity.bucket.replace(/[^A-Za-z0-9._-]+/g, '_');
  return join(dir, `${bucket}-${hash}.json`);
}

/** Reads a checkpoint: undefined when there is none; throws {@link CheckpointError} for anything else wrong. */
export async function readCheckpoint(path: string): Promise<CheckpointFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw new CheckpointError(`cannot read checkpoint ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(
      `checkpoint ${path} is not JSON (${(error as Error).message}); use --restart to start over`,
    );
  }
  const file = value as Partial<CheckpointFile> | null;
  if (
    file === null ||
    typeof file !== 'object' ||
    file.version !== 1 ||
    typeof file.identity !== 'object' ||
    typeof file.completed !== 'object' ||
    file.completed === null ||
    !Object.values(file.completed).every((etag) => typeof etag === 'string')
  ) {
    throw new CheckpointError(
      `checkpoint ${path} is not a version 1 replay checkpoint; use --restart to start over`,
    );
  }
  return file as CheckpointFile;
}

/** Writes the file atomically: a temp file beside it, renamed over it, so a crash leaves the old or the new one. */
export async function writeCheckpoint(path: string, file: CheckpointFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(file, null, 1) + '\n');
  await rename(temp, path);
}

/**
 * A replay's progress on disk. Objects are marked complete as they finish; the file is rewritten
 * at most once per `flushIntervalMs` (a bucket's checkpoint holds every completed key, so writing it
 * after each object would cost time quadratic in the objects). A crash loses at most that
 * interval's marks, and the objects are read again: harmless, since indexing is idempotent.
 */
export class Checkpoint {
  readonly #path: string;
  readonly #identity: ReplayIdentity;
  readonly #completed: Map<string, string>;
  readonly #flushIntervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #dirty = false;
  #writing: Promise<void> = Promise.resolve();

  private constructor(
    path: string,
    identity: ReplayIdentity,
    completed: Map<string, string>,
    flushIntervalMs: number,
  ) {
    this.#path = path;
    this.#identity = identity;
    this.#completed = completed;
    this.#flushIntervalMs = flushIntervalMs;
  }

  /**
   * Opens the checkpoint at `path` for `identity`. `restart` ignores what is there (it is
   * overwritten at the first flush). Throws {@link CheckpointError} when the file is another
   * replay's or unreadable.
   */
  static async open(
    path: string,
    identity: ReplayIdentity,
    options: { readonly restart?: boolean; readonly flushIntervalMs?: number } = {},
  ): Promise<Checkpoint> {
    const completed = new Map<string, string>();
    if (!options.restart) {
      const file = await readCheckpoint(path);
      if (file !== undefined) {
        if (JSON.stringify(file.identity) !== JSON.stringify(identity)) {
          throw new CheckpointError(
            `checkpoint ${path} belongs to another replay (${JSON.stringify(file.identity)}); ` +
              'use --restart to overwrite it, or --checkpoint to choose another file',
          );
        }
        for (const [key, etag] of Object.entries(file.completed)) completed.set(key, etag);
      }
    }
    return new Checkpoint(path, identity, completed, options.flushIntervalMs ?? 1_000);
  }

  get path(): string {
    return this.#path;
  }

  /** Objects completed so far, this run and earlier ones. */
  get size(): number {
    return this.#completed.size;
  }

  /** True when this version of the object was completed (a rewritten object has a new ETag). */
  isDone(key: string, etag: string): boolean {
    return this.#completed.get(key) === etag;
  }

  /** Marks the object completed; written with the next flush. */
  complete(key: string, etag: string): void {
    this.#completed.set(key, etag);
    this.#dirty = true;
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.flush().catch(() => undefined);
      }, this.#flushIntervalMs);
      this.#timer.unref();
    }
  }

  /** Writes the file now if anything changed. Writes are serialized. */
  flush(): Promise<void> {
    const write = async (): Promise<void> => {
      if (!this.#dirty) return;
      this.#dirty = false;
      try {
        await writeCheckpoint(this.#path, {
          version: 1,
          identity: this.#identity,
          updatedAt: new Date().toISOString(),
          completed: Object.fromEntries(this.#completed),
        });
      } catch (error) {
        // Still to be written: the next flush (or close) tries again.
        this.#dirty = true;
        throw error;
      }
    };
    const result = this.#writing.then(write, write);
    this.#writing = result.catch(() => undefined);
    return result;
  }

  /** Stops the timer and writes what is left; throws if the file could not be written. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    try {
      await this.flush();
    } catch (error) {
      throw new CheckpointError(`cannot write checkpoint ${this.#path}: ${(error as Error).message}`);
    }
  }
}
