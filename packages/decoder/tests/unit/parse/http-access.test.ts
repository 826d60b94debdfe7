import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHttpAccessLine } from '../../../src/parse/http-access.ts';

// The Apache docs' own example lines (https://httpd.apache.org/docs/current/logs.html#common and
// #combined), an nginx combined line with a custom `rt=` suffix, and the uWSGI default request line.
const COMMON = '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326';
const COMBINED = `${COMMON} "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`;
const UWSGI =
  '[pid: 1|app: 0|req: 1/1] 10.0.0.1 () {34 vars in 617 bytes} [Thu Jan  1 00:00:00 2024] GET /health => generated 2 bytes in 3 msecs (HTTP/1.1 200) 2 headers in 79 bytes (1 switches on core 0)';

describe('parseHttpAccessLine', () => {
  it('reads the Apache common example', () => {
    const access = parseHttpAccessLine(COMMON);
    expect(access).toMatchObject({
      format: 'common',
      http: { version: '1.0', request: { method: 'GET' }, response: { status_code: 200, bytes: 2326 } },
      url: { original: '/apache_pb.gif', path: '/apache_pb.gif' },
      source: { ip: '127.0.0.1' },
      userName: 'frank',
      timestamp: Date.parse('2000-10-10T20:55:36Z'),
    });
  });
  it('reads the combined example (referrer, user agent)', () => {
    const access = parseHttpAccessLine(COMBINED);
    expect(access?.format).toBe('nginx_combined');
    expect(access?.http.request?.referrer).toBe('http://www.example.com/start.html');
    expect(access?.user_agent?.original).toBe('Mozilla/4.08 [en] (Win98; I ;Nav)');
  });
  it('reads an nginx rt= suffix as milliseconds', () => {
    expect(parseHttpAccessLine(`${COMBINED} rt=0.012 uct="0.000"`)?.responseTimeMs).toBe(12);
  });
  it('reads a bare $request_time suffix', () => {
    expect(parseHttpAccessLine(`${COMBINED} 1.250`)?.responseTimeMs).toBe(1250);
  });
  it('splits the query string', () => {
    expect(parseHttpAccessLine(COMMON.replace('/apache_pb.gif', '/a?b=1'))?.url).toEqual({
      original: '/a?b=1',
      path: '/a',
      query: 'b=1',
    });
  });
  it('keeps a malformed request line as url.original', () => {
    const access = parseHttpAccessLine(COMMON.replace('GET /apache_pb.gif HTTP/1.0', '\\x16\\x03\\x01'));
    expect(access?.url.original).toBe('\\x16\\x03\\x01');
    expect(access?.http.request).toBeUndefined();
  });
  it('reads a uWSGI request line', () => {
    expect(parseHttpAccessLine(UWSGI)).toMatchObject({
      format: 'uwsgi',
      http: { version: '1.1', request: { method: 'GET' }, response: { status_code: 200, bytes: 2 } },
      url: { path: '/health' },
      source: { ip: '10.0.0.1' },
      responseTimeMs: 3,
      timestamp: Date.parse('2024-01-01T00:00:00Z'),
    });
  });
  it('reads uWSGI micros', () => {
    expect(parseHttpAccessLine(UWSGI.replace('3 msecs', '1500 micros'))?.responseTimeMs).toBe(1.5);
  });
  it('reads the morgan dev format', () => {
    expect(parseHttpAccessLine('POST /api/items 503 12.345 ms - 27')).toMatchObject({
      format: 'dev',
      http: { request: { method: 'POST' }, response: { status_code: 503 } },
      responseTimeMs: 12.345,
    });
  });
  it('ignores other lines', () => {
    for (const line of ['', 'hello world', 'GET is a verb', '[INFO] started', '{"level":"info"}'])
      expect(parseHttpAccessLine(line)).toBeUndefined();
  });
  it('never throws', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(COMMON, COMBINED, UWSGI, 'GET / 200 1 ms'),
        fc.nat(),
        fc.nat(),
        fc.string({ unit: 'binary', maxLength: 20 }),
        (seed, a, b, insert) => {
          const start = a % (seed.length + 1);
          parseHttpAccessLine(seed.slice(0, start) + insert + seed.slice(start + (b % 8)));
        },
      ),
      { numRuns: 10_000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => void parseHttpAccessLine(s)),
      { numRuns: 10_000 },
    );
  });
  it('stays linear on adversarial input', () => {
    const started = performance.now();
    for (const line of [
      `${'a '.repeat(50_000)}`,
      `1 - - [${'x'.repeat(100_000)}`,
      `1 - - [x] "${'\\"'.repeat(50_000)}`,
      `[pid: 1|app: 0|req: 1/1] ${'1'.repeat(100_000)}`,
      `GET ${'/'.repeat(100_000)} 200 ${'1'.repeat(100_000)}`,
    ]) {
      parseHttpAccessLine(line);
    }
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
