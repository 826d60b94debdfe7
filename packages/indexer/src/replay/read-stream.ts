import { Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  DecodeError,
  decodeInputLine,
  decodeUtf8,
  detectCompression,
  type Decoder,
} from '@central-logging/decoder';
import { unquoteEtag, type ObjectRef } from './listing.ts';
import {
  addDeadLetterLine,
  addItem,
  isDeadLetterLine,
  MAX_LETTER_DATA_BYTES,
  readObject,
  type DecodedObject,
  type ReadResult,
} from './read.ts';

/** How {@link readObjectChunks} reads. */
export interface ChunkedRead {
  /**
   * Objects up to this many stored bytes are read whole ({@link readObject}, with `maxObjectBytes`);
   * larger ones a line at a time. Firehose's archive objects reach its 64–128 MiB buffer, about
   * ten times that inflated: far more than a process should hold at once.
   */
  readonly streamAboveBytes: number;
  /** Documents (and undecodable units) per chunk of a streamed object. */
  readonly chunkDocuments: number;
  /** A streamed line longer than this is one `too_large` unit, skipped without being held. */
  readonly maxLineBytes: number;
  /** The whole-object limit (stored or inflated) of {@link readObject}. */
  readonly maxObjectBytes: number;
  readonly signal?: AbortSignal | undefined;
}

/** Defaults of {@link ChunkedRead}. */
export const CHUNKED_READ_DEFAULTS = {
  streamAboveBytes: 8 * 1024 * 1024,
  chunkDocuments: 5_000,
  maxLineBytes: 16 * 1024 * 1024,
} as const;

/**
 * Reads one object as chunks of decoded documents: a small object in one chunk, as
 * {@link readObject} reads it; a large one streamed (gzip, one or many members, zlib or plain),
 * split into lines and decoded a line at a time as `decodeInput` would (the archive's NDJSON,
 * Firehose error records, the indexer's dead letters), so memory holds one chunk, never the
 * object. Each chunk's `bytes` are the stored bytes read for it. Compressed data that turns out
 * corrupt or truncated ends the object with one unit error for the rest; S3 and network errors
 * are thrown (the object failed, and is read again by the next run).
 */
export async function* readObjectChunks(
  s3: S3Client,
  bucket: string,
  ref: ObjectRef,
  decoder: Decoder,
  options: ChunkedRead,
): AsyncGenerator<ReadResult> {
  if (ref.size <= options.streamAboveBytes) {
    yield await readObject(s3, bucket, ref, decoder, options.maxObjectBytes, options.signal);
    return;
  }
  const response = await s3.send(
    new GetObjectCommand({ Bucket: bucket, Key: ref.key }),
    options.signal === undefined ? {} : { abortSignal: options.signal },
  );
  const body = response.Body;
  if (!(body instanceof Readable)) throw new Error(`GetObject ${ref.key} returned no stream`);
  const etag = unquoteEtag(response.ETag) || ref.etag;

  let stored = 0;
  let reported = 0;
  let format: DecodedObject['format'] | undefined;
  let chunk = emptyChunk('archive');
  const take = (): ReadResult => {
    const result = { etag, bytes: stored - reported, decoded: chunk };
    reported = stored;
    chunk = emptyChunk(format ?? 'archive');
    return result;
  };

  const source = inflated(body, (n) => (stored += n));
  try {
    for await (const line of linesOf(source, options.maxLineBytes)) {
      const label = `line ${line.number}`;
      if (line.bytes === undefined) {
        const error = new DecodeError('too_large', `${label} is longer than ${options.maxLineBytes} bytes`);
        chunk.errors.push({ label, error });
      } else {
        const text = decodeUtf8(line.bytes);
        const data =
          line.bytes.byteLength <= MAX_LETTER_DATA_BYTES ? line.bytes.toString('base64') : undefined;
        if (text instanceof DecodeError) {
          chunk.errors.push({ label, error: text, data });
        } else if (text.trim().length > 0) {
          // The indexer's dead-letter objects are told apart by their first line, as when whole.
          if (format === undefined) {
            format = isDeadLetterLine(parseOrUndefined(text)) ? 'dead-letter' : 'archive';
            chunk = { ...chunk, format };
          }
          if (format === 'dead-letter') addDeadLetterLine(chunk, text, line.number, decoder);
          else {
            for (const item of decodeInputLine(text, decoder, line.number)) {
              addItem(chunk, item, item.label, () => data);
            }
          }
        }
      }
      if (chunk.documents.length + chunk.errors.length >= options.chunkDocuments) yield take();
    }
  } catch (error) {
    if (!(error instanceof CorruptData)) throw error;
    chunk.errors.push({ label: 'object', error: error.decodeError });
  }
  yield take();
}

function emptyChunk(format: DecodedObject['format']): DecodedObject {
  return { format, documents: [], errors: [], control: 0 };
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Compressed data that cannot be inflated: the object's fault, not the network's. */
class CorruptData extends Error {
  constructor(readonly decodeError: DecodeError) {
    super(decodeError.message);
  }
}

/**
 * The object's bytes, inflated when its first bytes say gzip or zlib (Node's gunzip reads every
 * member of a multi-member file). `count` sees each stored chunk.
 */
async function* inflated(body: Readable, count: (bytes: number) => void): AsyncGenerator<Buffer> {
  const iterator = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  if (first.done === true) return;
  const head = first.value;
  async function* stored(): AsyncGenerator<Buffer> {
    count(head.byteLength);
    yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      count(next.value.byteLength);
      yield next.value;
    }
  }
  const compression = detectCompression(head);
  if (compression === undefined) {
    yield* stored();
    return;
  }
  const inflater = compression === 'gzip' ? createGunzip() : createInflate();
  const input = Readable.from(stored());
  let sourceError: unknown;
  input.on('error', (error) => {
    sourceError = error;
    inflater.destroy(error);
  });
  input.pipe(inflater);
  try {
    for await (const piece of inflater as AsyncIterable<Buffer>) yield piece;
  } catch (error) {
    if (sourceError !== undefined) throw sourceError;
    const code = (error as { code?: unknown }).code;
    const reason = code === 'Z_BUF_ERROR' ? 'truncated' : 'corrupt_compressed_data';
    throw new CorruptData(
      new DecodeError(reason, `${compression} data ends or breaks off: ${(error as Error).message}`),
    );
  } finally {
    input.destroy();
  }
}

/** A line (without its newline), or a line over the limit (`bytes` undefined), numbered from 1. */
interface Line {
  readonly number: number;
  readonly bytes?: Buffer;
}

/** Splits bytes into lines without holding more than one line (up to `maxLineBytes`) at a time. */
async function* linesOf(chunks: AsyncIterable<Buffer>, maxLineBytes: number): AsyncGenerator<Line> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let overlong = false;
  let number = 0;
  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(0x0a, start);
      const piece = chunk.subarray(start, end === -1 ? chunk.byteLength : end);
      if (!overlong) {
        if (pendingBytes + piece.byteLength > maxLineBytes) {
          overlong = true;
          pending = [];
          pendingBytes = 0;
        } else if (piece.byteLength > 0) {
          // A copy: the chunk's memory is not kept alive by a line that outlives it.
          pending.push(end === -1 ? Buffer.from(piece) : piece);
          pendingBytes += piece.byteLength;
        }
      }
      if (end === -1) break;
      number++;
      yield overlong ? { number } : { number, bytes: Buffer.concat(pending, pendingBytes) };
      pending = [];
      pendingBytes = 0;
      overlong = false;
      start = end + 1;
    }
  }
  if (overlong || pendingBytes > 0) {
    number++;
    yield overlong ? { number } : { number, bytes: Buffer.concat(pending, pendingBytes) };
  }
}
