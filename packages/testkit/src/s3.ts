import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { S3rverConstructor } from './s3rver.d.ts';

// s3rver is CommonJS without types; requiring it with our declared constructor type keeps the
// types local to this package (see s3rver.d.ts).
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

/** s3rver only accepts signatures made with these fixed credentials. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** A real S3-API server (s3rver) on a free local port, storing objects in a temp dir. */
export interface S3Server {
  /** e.g. http://127.0.0.1:41234 */
  readonly endpoint: string;
  /**
   * The S3Client configuration that talks to it: path-style addressing (bucket names would not
   * resolve as hostnames), its fixed credentials, us-east-1. For code under test that builds its
   * own client, and for tools that take an endpoint.
   */
  readonly clientConfig: S3ClientConfig;
  /** A client built from {@link clientConfig}; destroyed by stop(). */
  readonly client: S3Client;
  /** Where the buckets live on disk; removed by stop(). */
  readonly directory: string;
  createBucket(name: string): Promise<void>;
  /** Closes the server and the client and removes the data. */
  stop(): Promise<void>;
}

export interface StartS3Options {
  /** Buckets to create before the server starts. */
  readonly buckets?: readonly string[];
}

export async function startS3(options: StartS3Options = {}): Promise<S3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'central-logging-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    // Port 0: the kernel picks a free port and the server binds it at once, so there is no race.
    port: 0,
    silent: true,
    directory,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  let address;
  try {
    address = await server.run();
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${address.port}`;
  const clientConfig: S3ClientConfig = {
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: CREDENTIALS,
  };
  const client = new S3Client(clientConfig);
  let stopped = false;
  return {
    endpoint,
    clientConfig,
    client,
    directory,
    createBucket: async (name) => {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
