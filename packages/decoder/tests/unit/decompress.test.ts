import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DecodeError, decodeBase64, decodeUtf8, decompress, detectCompression } from '../../src/index.ts';

describe('decodeBase64', () => {
  it('decodes standard base64', () => {
    expect(decodeBase64(Buffer.from('hello').toString('base64'))).toEqual(Buffer.from('hello'));
  });

  it.each([
    ['a character outside the alphabet', 'aGVsbG8*'],
    ['a length that is not a multiple of 4', 'aGVsbG8'],
    ['text that is not base64 at all', 'this is not base64!'],
  ])('refuses %s', (_, text) => {
    const result = decodeBase64(text);
    expect(result).toBeInstanceOf(DecodeError);
    expect((result as DecodeError).reason).toBe('invalid_base64');
  });
});

describe('decompress', () => {
  const text = JSON.stringify({ hello: 'world'.repeat(100) });

  it('inflates gzip and zlib alike', () => {
    expect(detectCompression(gzipSync(text))).toBe('gzip');
    expect(detectCompression(deflateSync(text))).toBe('zlib');
    expect(decompress(gzipSync(text), 1 << 20).toString()).toBe(text);
    expect(decompress(deflateSync(text), 1 << 20).toString()).toBe(text);
  });

  it('refuses bytes that are neither', () => {
    expect((decompress(Buffer.from(text), 1 << 20) as DecodeError).reason).toBe('not_compressed');
    expect((decompress(Buffer.alloc(0), 1 << 20) as DecodeError).reason).toBe('not_compressed');
  });

  it('reports a truncated stream as truncated', () => {
    const gz = gzipSync(text);
    expect((decompress(gz.subarray(0, gz.length - 12), 1 << 20) as DecodeError).reason).toBe('truncated');
  });

  it('reports corrupt data', () => {
    const gz = Buffer.from(gzipSync(text));
    // Byte 10 opens the first deflate block; BTYPE 11 is reserved (RFC 1951 §3.2.3): invalid.
    gz[10] = 0x07;
    expect((decompress(gz, 1 << 20) as DecodeError).reason).toBe('corrupt_compressed_data');
  });

  it('stops a compression bomb at the limit instead of inflating it', () => {
    // 256 MiB of zeros compresses to ~256 KiB; the limit must stop it at 1 MiB.
    const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024));
    const before = process.memoryUsage().rss;
    const result = decompress(bomb, 1024 * 1024);
    expect((result as DecodeError).reason).toBe('too_large');
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });
});

describe('decodeUtf8', () => {
  it('refuses invalid UTF-8 instead of inventing replacement characters', () => {
    expect((decodeUtf8(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])) as DecodeError).reason).toBe('invalid_utf8');
    expect(decodeUtf8(Buffer.from('ünïcødé ✓'))).toBe('ünïcødé ✓');
  });
});
