// The part of s3rver 3.7.1's API that s3.ts uses: the package ships no types. A module (not an
// ambient `declare module 's3rver'`) so that it travels with s3.ts into every package's program
// that imports the testkit, without those packages having to include this file themselves.
import type { AddressInfo } from 'node:net';

export interface S3rverOptions {
  /** Host/IP to bind to; s3rver's default is localhost. */
  address?: string;
  /** 0 lets the kernel pick a free port; run() resolves with the one it got. */
  port?: number;
  /** Suppresses its request log. */
  silent?: boolean;
  /** Where buckets and objects are stored, one file per object plus metadata. */
  directory?: string;
  /** Removes all bucket data on close. */
  resetOnClose?: boolean;
  /** Accepts requests whose signature does not match (we sign with its fixed credentials instead). */
  allowMismatchedSignatures?: boolean;
  /** Accepts virtual-host-style bucket addressing; path style needs nothing. */
  vhostBuckets?: boolean;
  /** Buckets created before the server starts. */
  configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
}

export interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}

export type S3rverConstructor = new (options?: S3rverOptions) => S3rverInstance;
