import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { LogDocument } from '@central-logging/log-schema';

/**
 * A record that can never index as it is: kept whole with its reason and where it came from, so
 * an operator can fix the cause (a mapping, a parser) and replay it. One NDJSON line each.
 *
 * Either `document` (it decoded, the cluster refused it) or `data` (it did not decode: the
 * original base64 payload, byte for byte).
 */
export interface DeadLetter {
  readonly reason: string;
  /** `mapper_parsing_exception`, `decode_error:invalid_json`, … : what to group and alarm on. */
  readonly type: string;
  readonly status?: number | undefined;
  /** Kinesis shard/sequence number, or archive bucket/key/line. */
  readonly source: unknown;
  readonly index?: string | undefined;
  readonly id?: string | undefined;
  readonly document?: LogDocument | undefined;
  readonly data?: string | undefined;
  /** When the pipeline gave up on it. */
  readonly at: string;
}

/** Where dead letters go. `write` resolves only once they are durably stored. */
export interface DeadLetterSink {
  /** Stores the letters as one object; returns its location (`s3://…`, a path). */
  write(letters: readonly DeadLetter[], origin: string): Promise<string>;
}

export function deadLetterBody(letters: readonly DeadLetter[]): Buffer {
  return gzipSync(letters.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

/** `<prefix>yyyy/MM/dd/<origin>-<time>-<uuid>.ndjson.gz`: sortable, never overwritten. */
export function deadLetterKey(prefix: string, origin: string, now: Date): string {
  const iso = now.toISOString();
  const day = `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`;
  const safeOrigin = origin.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100);
  return `${prefix}${day}/${safeOrigin}-${iso.replace(/[-:.]/g, '')}-${randomUUID()}.ndjson.gz`;
}

/** Dead letters as gzip NDJSON objects in S3 (the bucket's default encryption applies). */
export function s3DeadLetterSink(client: S3Client, bucket: string, prefix: string): DeadLetterSink {
  return {
    async write(letters, origin) {
      const key = deadLetterKey(prefix, origin, new Date());
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: deadLetterBody(letters),
          ContentType: 'application/x-ndjson',
        }),
      );
      return `s3://${bucket}/${key}`;
    },
  };
}

/** Dead letters as files under `dir`: for replay dry runs and the local pipeline. */
export function fileDeadLetterSink(dir: string): DeadLetterSink {
  return {
    async write(letters, origin) {
      const path = join(dir, deadLetterKey('', origin, new Date()));
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, deadLetterBody(letters));
      return path;
    },
  };
}
