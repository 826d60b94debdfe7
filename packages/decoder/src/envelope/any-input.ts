import type { LogDocument } from '@central-logging/log-schema';
import type { Decoder, PayloadResult } from '../decoder.ts';
import { decodeBase64, decodeUtf8, decompress, detectCompression } from '../decompress.ts';
import { DecodeError } from '../errors.ts';
import { validateArchivedDocument } from './archive.ts';
import { isRecord } from './cloudwatch-subscription.ts';

/** One unit found in an input, labelled with where it sat (`Records[3]`, `line 12`). */
export type InputItem =
  | { readonly kind: 'payload'; readonly label: string; readonly result: PayloadResult }
  | { readonly kind: 'document'; readonly label: string; readonly document: LogDocument }
  | { readonly kind: 'error'; readonly label: string; readonly error: DecodeError };

/**
 * Decodes whatever a user or a replay hands us, by its shape: a Kinesis Data Streams event, a
 * Firehose transformation event, a Lambda `awslogs` event, a subscription message as JSON, the
 * NDJSON our Firehose archives (plain or gzip), the records Firehose writes to its error prefix
 * (`rawData`), or one payload as base64 text or gzip/zlib bytes.
 * Items come out in input order.
 */
export function decodeInput(input: Uint8Array, decoder: Decoder): InputItem[] {
  return decodeBytes(input, decoder, 'input', 0);
}

// base64 → gzip → JSON is the deepest nesting a real input has; more is a loop or an attack.
const MAX_NESTING = 3;

function decodeBytes(bytes: Uint8Array, decoder: Decoder, label: string, depth: number): InputItem[] {
  if (depth > MAX_NESTING) {
    return [errorItem(label, new DecodeError('invalid_wrapper', 'input is nested too deeply'))];
  }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (detectCompression(buffer) !== undefined) {
    const inflated = decompress(buffer, decoder.options.maxDecompressedBytes);
    if (inflated instanceof DecodeError) return [errorItem(label, inflated)];
    // Compressed: a subscription payload or a gzip archive object; either way, decode by shape.
    const text = decodeUtf8(inflated);
    if (text instanceof DecodeError) return [errorItem(label, text)];
    return decodeText(text, decoder, label, depth);
  }
  const text = decodeUtf8(buffer);
  if (text instanceof DecodeError) return [errorItem(label, text)];
  return decodeText(text, decoder, label, depth);
}

function decodeText(text: string, decoder: Decoder, label: string, depth: number): InputItem[] {
  const trimmed = text.trim();
  if (trimmed.length === 0) {
    return [errorItem(label, new DecodeError('invalid_wrapper', 'input is empty'))];
  }
  const first = trimmed.charCodeAt(0);
  if (first === 0x7b /* { */ || first === 0x5b /* [ */) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      return decodeLines(trimmed, decoder);
    }
    return decodeValue(value, decoder, label);
  }
  // Console copies wrap base64 over lines: whitespace is not part of the payload.
  const bytes = decodeBase64(trimmed.replace(/\s+/g, ''));
  if (bytes instanceof DecodeError) return [errorItem(label, bytes)];
  return decodeBytes(bytes, decoder, label, depth + 1);
}

function decodeLines(text: string, decoder: Decoder): InputItem[] {
  const items: InputItem[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) items.push(...decodeInputLine(lines[i] ?? '', decoder, i + 1));
  return items;
}

/**
 * One line of a line-oriented input (NDJSON our Firehose archives, Firehose error records),
 * labelled `line <number>`: what {@link decodeInput} does for each line of such an input, for
 * readers that stream an object a line at a time. A blank line yields nothing.
 */
export function decodeInputLine(text: string, decoder: Decoder, number: number): InputItem[] {
  const line = text.trim();
  if (line.length === 0) return [];
  const label = `line ${number}`;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    // Objects written back to back with no newline (`}{`), as S3 writers that only concatenate
    // records produce: read each one rather than losing the line.
    const objects = splitConcatenatedJson(line);
    if (objects !== undefined) {
      return objects.flatMap((object, k) => decodeValue(object, decoder, `${label}[${k}]`));
    }
    const detail = error instanceof Error ? error.message : String(error);
    return [errorItem(label, new DecodeError('invalid_json', `line is not JSON: ${detail}`))];
  }
  return decodeValue(value, decoder, label);
}

/** `{…}{…}` → its objects, or undefined unless the text is two or more complete JSON objects. */
export function splitConcatenatedJson(text: string): unknown[] | undefined {
  const objects: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \\ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */) {
      if (depth++ === 0) start = i;
    } else if (c === 0x7d /* } */) {
      if (--depth < 0) return undefined;
      if (depth === 0) {
        try {
          objects.push(JSON.parse(text.slice(start, i + 1)));
        } catch {
          return undefined;
        }
      }
    } else if (depth === 0 && c !== 0x20 && c !== 0x09 && c !== 0x0d) {
      return undefined;
    }
  }
  return depth === 0 && objects.length > 1 ? objects : undefined;
}

// A JSON array of inputs is one level; arrays of arrays are allowed a little slack, not the
// thousands of levels that would overflow the stack.
const MAX_ARRAY_NESTING = 3;

function decodeValue(value: unknown, decoder: Decoder, label: string, depth = 0): InputItem[] {
  if (Array.isArray(value)) {
    if (depth === MAX_ARRAY_NESTING) {
      return [errorItem(label, new DecodeError('invalid_wrapper', 'input arrays are nested too deeply'))];
    }
    return value.flatMap((v, i) => decodeValue(v, decoder, `${label}[${i}]`, depth + 1));
  }
  if (!isRecord(value)) return [errorItem(label, unknownShape())];

  const { Records, records, awslogs } = value;
  if (Array.isArray(Records)) {
    return Records.map((record, i): InputItem => {
      const data = isRecord(record) && isRecord(record.kinesis) ? record.kinesis.data : undefined;
      const itemLabel = `Records[${i}]`;
      if (typeof data !== 'string') return errorItem(itemLabel, wrapperError('Records[].kinesis.data'));
      return { kind: 'payload', label: itemLabel, result: decoder.decodeData(data) };
    });
  }
  if (Array.isArray(records)) {
    return records.map((record, i): InputItem => {
      const data = isRecord(record) ? record.data : undefined;
      const itemLabel = `records[${i}]`;
      if (typeof data !== 'string') return errorItem(itemLabel, wrapperError('records[].data'));
      return { kind: 'payload', label: itemLabel, result: decoder.decodeData(data) };
    });
  }
  if (isRecord(awslogs)) {
    if (typeof awslogs.data !== 'string') return [errorItem(label, wrapperError('awslogs.data'))];
    return [{ kind: 'payload', label, result: decoder.decodeData(awslogs.data) }];
  }
  // A Firehose error-output record: what the error prefix holds for a record our transformation
  // returned as ProcessingFailed (or Firehose could not deliver); `rawData` is the original payload.
  if (typeof value.rawData === 'string' && ('errorCode' in value || 'attemptsMade' in value)) {
    return [{ kind: 'payload', label, result: decoder.decodeData(value.rawData) }];
  }
  if ('messageType' in value) return [{ kind: 'payload', label, result: decoder.decodeMessage(value) }];
  if ('@timestamp' in value && 'event' in value) {
    const document = validateArchivedDocument(value);
    if (document instanceof DecodeError) return [errorItem(label, document)];
    return [{ kind: 'document', label, document }];
  }
  return [errorItem(label, unknownShape())];
}

function errorItem(label: string, error: DecodeError): InputItem {
  return { kind: 'error', label, error };
}

function wrapperError(field: string): DecodeError {
  return new DecodeError('invalid_wrapper', `${field} must be a base64 string`);
}

function unknownShape(): DecodeError {
  return new DecodeError(
    'invalid_wrapper',
    'JSON is none of: Kinesis event, Firehose event, awslogs event, subscription message, archived document, Firehose error record',
  );
}
