import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  decodeBase64,
  DecodeError,
  decodeInput,
  decodeUtf8,
  decompress,
  detectCompression,
  validateArchivedDocument,
  type Decoder,
  type InputItem,
} from '@central-logging/decoder';
import type { LogDocument } from '@central-logging/log-schema';
import { unquoteEtag, type ObjectRef } from './listing.ts';

/** A document found in an object, with where it sat (`line 12`, `line 3 Records[0]`). */
export interface FoundDocument {
  readonly document: LogDocument;
  readonly label: string;
}

/**
 * A unit that can never decode (a line that is not JSON, a Firehose error record whose payload is
 * corrupt, an object that is not gzip): dead-lettered with its reason. `data` is the unit's own
 * bytes, base64 — the archive line, or the original payload for a re-read dead letter — so the
 * dead letter can be replayed by itself; it is left out for a whole object above
 * {@link MAX_LETTER_DATA_BYTES}, which stays in the bucket the letter's `source` names.
 */
export interface UnitError {
  readonly label: string;
  readonly error: DecodeError;
  readonly data?: string | undefined;
}

/** Everything one archive object holds, in order. */
export interface DecodedObject {
  /**
   * `archive`: what Firehose writes (NDJSON documents, error-prefix records, or anything else
   * `decodeInput` reads by shape). `dead-letter`: the indexer's own dead-letter objects.
   */
  readonly format: 'archive' | 'dead-letter';
  readonly documents: FoundDocument[];
  readonly errors: UnitError[];
  /** CONTROL_MESSAGE payloads (in error-prefix records): dropped on purpose, as everywhere. */
  control: number;
}

/** An object larger than this is not copied into a dead letter whole. */
export const MAX_LETTER_DATA_BYTES = 1024 * 1024;

/** What {@link readObject} found, and the ETag of the version it read (what a checkpoint records). */
export interface ReadResult {
  readonly etag: string;
  readonly bytes: number;
  readonly decoded: DecodedObject;
}

/**
 * Reads and decodes one object. An object above `maxBytes` (stored or inflated) is one unit
 * error, `too_large`, and is not downloaded. S3 and network errors are thrown: the object failed.
 */
export async function readObject(
  s3: S3Client,
  bucket: string,
  ref: ObjectRef,
  decoder: Decoder,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<ReadResult> {
  if (ref.size > maxBytes) {
    const error = new DecodeError('too_large', `object is ${ref.size} bytes, above the limit of ${maxBytes}`);
    return { etag: ref.etag, bytes: 0, decoded: objectError(error, undefined) };
  }
  const response = await s3.send(
    new GetObjectCommand({ Bucket: bucket, Key: ref.key }),
    signal === undefined ? {} : { abortSignal: signal },
  );
  if (response.Body === undefined) throw new Error(`GetObject ${ref.key} returned no body`);
  const bytes = await response.Body.transformToByteArray();
  const etag = unquoteEtag(response.ETag) || ref.etag;
  return { etag, bytes: bytes.byteLength, decoded: decodeObject(bytes, decoder, maxBytes) };
}

/**
 * Decodes an object's bytes: gzip (one or many members, RFC 1952 §2.2) or plain, inflated to at
 * most `maxBytes`. The indexer's dead-letter objects are told apart by their first line; anything
 * else goes to the decoder's `decodeInput`, which reads archived NDJSON documents and Firehose
 * error records (`rawData`) by shape.
 */
export function decodeObject(bytes: Uint8Array, decoder: Decoder, maxBytes: number): DecodedObject {
  let plain: Buffer;
  if (detectCompression(bytes) === undefined) {
    if (bytes.byteLength > maxBytes) {
      return objectError(
        new DecodeError('too_large', `object exceeds the limit of ${maxBytes} bytes`),
        bytes,
      );
    }
    plain = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } else {
    const inflated = decompress(bytes, maxBytes);
    if (inflated instanceof DecodeError) return objectError(inflated, bytes);
    plain = inflated;
  }
  if (isDeadLetterLine(firstLine(plain))) return decodeDeadLetters(plain, decoder);
  return decodeArchive(plain, decoder);
}

function decodeArchive(plain: Buffer, decoder: Decoder): DecodedObject {
  const result: DecodedObject = { format: 'archive', documents: [], errors: [], control: 0 };
  // decodeInput labels each NDJSON line `line <n>`, counting lines of the trimmed text: the same
  // split, done only when a line has to be quoted in a dead letter.
  let lines: string[] | undefined;
  const dataOf = (label: string): string | undefined => {
    const line = /^line (\d+)/.exec(label);
    if (line) {
      lines ??= plain.toString('utf8').trim().split('\n');
      const text = lines[Number(line[1]) - 1]?.trim();
      return text === undefined ? undefined : Buffer.from(text).toString('base64');
    }
    return plain.byteLength <= MAX_LETTER_DATA_BYTES ? plain.toString('base64') : undefined;
  };
  for (const item of decodeInput(plain, decoder)) addItem(result, item, item.label, dataOf);
  return result;
}

/** One decoded unit into `into`: a document, or an error with its data for the dead letter. */
export function addItem(
  into: DecodedObject,
  item: InputItem,
  label: string,
  dataOf: (label: string) => string | undefined,
): void {
  if (item.kind === 'document') {
    into.documents.push({ document: item.document, label });
  } else if (item.kind === 'error') {
    into.errors.push({ label, error: item.error, data: dataOf(label) });
  } else if (item.result.kind === 'data') {
    for (const document of item.result.documents) into.documents.push({ document, label });
  } else if (item.result.kind === 'control') {
    into.control++;
  } else {
    into.errors.push({ label, error: item.result.error, data: dataOf(label) });
  }
}

/**
 * Re-reads the indexer's dead letters (`DeadLetter` in dead-letter.ts, one JSON line each):
 * `document` is indexed again, `data` (a Kinesis payload, or an archive line replay could not
 * read) is decoded again by shape. Whatever still fails is dead-lettered again, with the same data.
 */
function decodeDeadLetters(plain: Buffer, decoder: Decoder): DecodedObject {
  const result: DecodedObject = { format: 'dead-letter', documents: [], errors: [], control: 0 };
  const text = decodeUtf8(plain);
  if (text instanceof DecodeError) return objectError(text, plain);
  const lines = text.trim().split('\n');
  lines.forEach((raw, i) => addDeadLetterLine(result, raw, i + 1, decoder));
  return result;
}

/** One line of a dead-letter object, into `result`. */
export function addDeadLetterLine(
  result: DecodedObject,
  raw: string,
  number: number,
  decoder: Decoder,
): void {
  const line = raw.trim();
  if (line.length === 0) return;
  const label = `line ${number}`;
  const lineData = (): string => Buffer.from(line).toString('base64');
  let letter: unknown;
  try {
    letter = JSON.parse(line);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    result.errors.push({
      label,
      error: new DecodeError('invalid_json', `line is not JSON: ${detail}`),
      data: lineData(),
    });
    return;
  }
  if (!isDeadLetterLine(letter)) {
    const error = new DecodeError(
      'invalid_schema',
      'line is not a dead letter ({reason, type, source, at, document|data})',
    );
    result.errors.push({ label, error, data: lineData() });
    return;
  }
  if (isRecord(letter.document)) {
    const document = validateArchivedDocument(letter.document);
    if (document instanceof DecodeError) result.errors.push({ label, error: document, data: lineData() });
    else result.documents.push({ document, label });
    return;
  }
  const data = letter.data;
  if (typeof data !== 'string') {
    // A letter for a whole object too large to copy: the object is where its `source` says.
    const error = new DecodeError(
      'invalid_wrapper',
      `dead letter (${letter.type}: ${letter.reason}) carries neither document nor data: replay the object its source names`,
    );
    result.errors.push({ label, error, data: lineData() });
    return;
  }
  const bytes = decodeBase64(data);
  if (bytes instanceof DecodeError) {
    result.errors.push({ label, error: bytes, data });
    return;
  }
  for (const item of decodeLetterData(bytes, decoder)) {
    addItem(result, item, `${label} ${item.label}`, () => data);
  }
}

/**
 * A letter's `data` is a payload (Kinesis: gzip bytes) or an archive line replay could not read
 * (text). decodeInput would take non-JSON text for base64 and report that instead; a line is
 * judged as the archive object it sat in judged it: JSON, or `invalid_json`.
 */
function decodeLetterData(bytes: Buffer, decoder: Decoder): InputItem[] {
  if (detectCompression(bytes) !== undefined) return decodeInput(bytes, decoder);
  const text = bytes.toString('utf8').trim();
  try {
    JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return [
      { kind: 'error', label: 'data', error: new DecodeError('invalid_json', `line is not JSON: ${detail}`) },
    ];
  }
  return decodeInput(bytes, decoder);
}

/**
 * The size refusal of {@link readObject}, when that is all `decoded` is: the object was not read,
 * and a larger `maxBytes` would read it.
 */
export function objectTooLarge(decoded: DecodedObject): DecodeError | undefined {
  const [only, ...more] = decoded.errors;
  if (only === undefined || more.length > 0 || decoded.documents.length > 0) return undefined;
  return only.label === 'object' && only.error.reason === 'too_large' ? only.error : undefined;
}

function objectError(error: DecodeError, bytes: Uint8Array | undefined): DecodedObject {
  const data =
    bytes !== undefined && bytes.byteLength <= MAX_LETTER_DATA_BYTES
      ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
      : undefined;
  return { format: 'archive', documents: [], errors: [{ label: 'object', error, data }], control: 0 };
}

function firstLine(plain: Buffer): unknown {
  // A dead letter line holds a whole document; 16 MiB is far above any, and bounds the peek.
  const end = plain.indexOf(0x0a);
  const slice = plain.subarray(0, Math.min(end === -1 ? plain.byteLength : end, 16 * 1024 * 1024));
  try {
    return JSON.parse(slice.toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The shape of a `DeadLetter` line. Nothing Firehose or the decoder writes has `reason`, `type`
 * and `at` at the top (a log document has `@timestamp` and no `reason` or `at`).
 */
export function isDeadLetterLine(value: unknown): value is Record<string, unknown> {
  return (
    isRecord(value) &&
    typeof value.reason === 'string' &&
    typeof value.type === 'string' &&
    typeof value.at === 'string' &&
    'source' in value &&
    !('@timestamp' in value)
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
