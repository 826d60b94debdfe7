import { isUtf8 } from 'node:buffer';
import { gunzipSync, inflateSync } from 'node:zlib';
import { DecodeError } from './errors.ts';

/**
 * Decodes standard base64 strictly. Node's decoder skips characters outside the alphabet, so a
 * payload with any of them decodes to fewer bytes than its length promises: that is the check.
 */
export function decodeBase64(text: string): Buffer | DecodeError {
  const bytes = Buffer.from(text, 'base64');
  let padding = 0;
  if (text.endsWith('==')) padding = 2;
  else if (text.endsWith('=')) padding = 1;
  const expected = Math.floor((text.length * 3) / 4) - padding;
  if (text.length % 4 !== 0 || bytes.length !== expected) {
    return new DecodeError('invalid_base64', `not valid base64 (${text.length} characters)`);
  }
  return bytes;
}

/** Compression formats CloudWatch Logs deliveries use. */
export type Compression = 'gzip' | 'zlib';

/**
 * Tells gzip from zlib by the first bytes: gzip members start with 1f 8b (RFC 1952 §2.3.1); a zlib
 * stream starts with a CMF byte of method 8 (0x?8, usually 78) whose 16-bit header is a multiple of
 * 31 (RFC 1950 §2.2). Awslogs events delivered to Lambda use zlib in some regions.
 */
export function detectCompression(bytes: Uint8Array): Compression | undefined {
  const b0 = bytes[0];
  const b1 = bytes[1];
  if (b0 === undefined || b1 === undefined) return undefined;
  if (b0 === 0x1f && b1 === 0x8b) return 'gzip';
  if ((b0 & 0x0f) === 8 && b0 >> 4 <= 7 && ((b0 << 8) | b1) % 31 === 0) return 'zlib';
  return undefined;
}

/**
 * Inflates a gzip or zlib payload, refusing to produce more than `maxBytes` so a compression bomb
 * costs at most that much memory (zlib stops at `maxOutputLength`; it does not inflate then check).
 */
export function decompress(bytes: Uint8Array, maxBytes: number): Buffer | DecodeError {
  const compression = detectCompression(bytes);
  if (compression === undefined) {
    return new DecodeError('not_compressed', 'payload is neither gzip (1f 8b) nor zlib');
  }
  try {
    // The default finish flush makes a stream that stops early an error (Z_BUF_ERROR): keep it.
    const options = { maxOutputLength: maxBytes };
    return compression === 'gzip' ? gunzipSync(bytes, options) : inflateSync(bytes, options);
  } catch (error) {
    return decompressionError(error, maxBytes);
  }
}

function decompressionError(error: unknown, maxBytes: number): DecodeError {
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_BUFFER_TOO_LARGE') {
    return new DecodeError('too_large', `decompressed payload exceeds the limit of ${maxBytes} bytes`);
  }
  if (code === 'Z_BUF_ERROR') {
    return new DecodeError('truncated', 'compressed payload ends before its stream does (truncated)');
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DecodeError('corrupt_compressed_data', `compressed payload is corrupt: ${message}`);
}

/** Turns bytes into text, refusing invalid UTF-8 rather than inventing replacement characters. */
export function decodeUtf8(bytes: Buffer): string | DecodeError {
  if (!isUtf8(bytes)) return new DecodeError('invalid_utf8', 'payload is not valid UTF-8');
  return bytes.toString('utf8');
}
