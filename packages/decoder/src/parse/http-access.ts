import type { EndpointFields, HttpFields, UrlFields, UserAgentFields } from '@central-logging/log-schema';

/**
 * HTTP access lines that applications write to stdout: nginx/Apache combined and common log
 * format, uWSGI request lines, and the `METHOD path status N ms` dev formats (morgan `dev`,
 * many Go/Python routers). Every regex is anchored and built from character classes that cannot
 * overlap their delimiter, so matching is linear in the line length.
 */

/** Which access-log format matched. */
export type HttpAccessFormat = 'nginx_combined' | 'common' | 'uwsgi' | 'dev';

/** What an access line says about one HTTP request. */
export interface HttpAccess {
  readonly format: HttpAccessFormat;
  readonly http: HttpFields;
  readonly url: UrlFields;
  readonly source?: EndpointFields;
  readonly user_agent?: UserAgentFields;
  /** The authenticated user (`$remote_user`), when the line names one. */
  readonly userName?: string;
  /** The request time the line carries, epoch milliseconds. */
  readonly timestamp?: number;
  /** Time to serve the request, milliseconds, when the format logs it. */
  readonly responseTimeMs?: number;
}

// CLF/combined: `$remote_addr $ident $remote_user [$time_local] "$request" $status $bytes`
// then, for combined, `"$http_referer" "$http_user_agent"`, then anything a custom format adds.
// (nginx log_format "combined", https://nginx.org/en/docs/http/ngx_http_log_module.html#log_format;
// Apache LogFormat, https://httpd.apache.org/docs/current/logs.html#common)
const CLF =
  /^(\S+) \S+ (\S+) \[([^\]]*)\] "([^"\\]*(?:\\.[^"\\]*)*)" (\d{3}) (\d+|-)(?: "([^"\\]*(?:\\.[^"\\]*)*)" "([^"\\]*(?:\\.[^"\\]*)*)")?(\s.*)?$/s;

// uWSGI default request logging (https://uwsgi-docs.readthedocs.io/en/latest/LogFormat.html):
// [pid: 1|app: 0|req: 1/1] 10.0.0.1 () {34 vars in 617 bytes} [Thu Jan  1 00:00:00 2024]
//   GET /health => generated 2 bytes in 3 msecs (HTTP/1.1 200) 2 headers in 79 bytes (…)
const UWSGI =
  /^\[pid: \d+\|app: -?\d+\|req: -?\d+\/\d+\] (\S+) \(([^)]*)\) \{\d+ vars in \d+ bytes\} \[([^\]]*)\] (\S+) (\S+) => generated (\d+) bytes in (\d+) (msecs|micros) \(([^ )]+) (\d{3})\)/;

// morgan `dev` (`:method :url :status :response-time ms - :res[content-length]`) and the many
// routers that log `GET /path 200 12.3ms`.
const DEV = /^(GET|HEAD|POST|PUT|DELETE|PATCH|OPTIONS|CONNECT|TRACE) (\S+) (\d{3}) (\d+(?:\.\d+)?) ?ms\b/;

// A request-time suffix custom nginx formats append: `rt=0.012`, `request_time=0.012`, or a bare
// `$request_time` (seconds with millisecond resolution) as the first extra field.
const CLF_RT = /(?:^|\s)(?:rt|request_time)=(\d+(?:\.\d+)?)(?:\s|$)|^\s*(\d+\.\d{3})(?:\s|$)/;

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

// `10/Oct/2000:13:55:36 -0700` ($time_local)
const CLF_TIME = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;
// `Thu Jan  1 00:00:00 2024` (uWSGI, ctime() in the server's local zone; read as UTC)
const CTIME = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/** Parses one HTTP access line; undefined when the line is in none of the known formats. */
export function parseHttpAccessLine(line: string): HttpAccess | undefined {
  const first = line.charCodeAt(0);
  // '[' starts uWSGI; an upper-case letter a dev line (a method); else try CLF.
  if (first === 91) return parseUwsgi(line);
  if (first >= 65 && first <= 90) {
    const dev = parseDev(line);
    if (dev !== undefined) return dev;
  }
  return parseClf(line);
}

function parseClf(line: string): HttpAccess | undefined {
  const m = CLF.exec(line);
  if (m === null) return undefined;
  const [
    ,
    remote = '',
    user = '-',
    time = '',
    request = '',
    status = '',
    bytes = '-',
    referrer,
    agent,
    rest = '',
  ] = m;
  const response: NonNullable<HttpFields['response']> = { status_code: Number(status) };
  if (bytes !== '-') response.bytes = Number(bytes);
  const http: HttpFields = { response };
  const url: UrlFields = {};
  splitRequestLine(request, http, url);
  if (referrer !== undefined && referrer !== '-' && referrer !== '')
    http.request = { ...http.request, referrer };
  const out: Mutable<HttpAccess> = {
    format: referrer === undefined ? 'common' : 'nginx_combined',
    http,
    url,
  };
  const source = endpoint(remote);
  if (source !== undefined) out.source = source;
  if (agent !== undefined && agent !== '-' && agent !== '') out.user_agent = { original: agent };
  if (user !== '-' && user !== '') out.userName = user;
  const timestamp = clfTime(time);
  if (timestamp !== undefined) out.timestamp = timestamp;
  if (rest !== '') {
    const rt = CLF_RT.exec(rest);
    const seconds = rt?.[1] ?? rt?.[2];
    if (seconds !== undefined) out.responseTimeMs = Math.round(Number(seconds) * 1e6) / 1e3;
  }
  return out;
}

function parseUwsgi(line: string): HttpAccess | undefined {
  const m = UWSGI.exec(line);
  if (m === null) return undefined;
  const [
    ,
    remote = '',
    ,
    time = '',
    method = '',
    target = '',
    bytes = '',
    took = '',
    unit = '',
    protocol = '',
    status = '',
  ] = m;
  const http: HttpFields = {
    request: { method },
    response: { status_code: Number(status), bytes: Number(bytes) },
  };
  const version = httpVersion(protocol);
  if (version !== undefined) http.version = version;
  const url = splitTarget(target);
  const out: Mutable<HttpAccess> = {
    format: 'uwsgi',
    http,
    url,
    responseTimeMs: unit === 'micros' ? Number(took) / 1000 : Number(took),
  };
  const source = endpoint(remote);
  if (source !== undefined) out.source = source;
  const timestamp = ctime(time);
  if (timestamp !== undefined) out.timestamp = timestamp;
  return out;
}

function parseDev(line: string): HttpAccess | undefined {
  const m = DEV.exec(line);
  if (m === null) return undefined;
  const [, method = '', target = '', status = '', ms = ''] = m;
  return {
    format: 'dev',
    http: { request: { method }, response: { status_code: Number(status) } },
    url: splitTarget(target),
    responseTimeMs: Number(ms),
  };
}

/** `GET /a?b HTTP/1.1` → method, url, version; a malformed request line is kept as url.original. */
function splitRequestLine(request: string, http: HttpFields, url: UrlFields): void {
  const firstSpace = request.indexOf(' ');
  if (firstSpace <= 0) {
    if (request !== '' && request !== '-') url.original = request;
    return;
  }
  const lastSpace = request.lastIndexOf(' ');
  const method = request.slice(0, firstSpace);
  const target =
    lastSpace > firstSpace ? request.slice(firstSpace + 1, lastSpace) : request.slice(firstSpace + 1);
  const version = lastSpace > firstSpace ? httpVersion(request.slice(lastSpace + 1)) : undefined;
  http.request = { ...http.request, method };
  if (version !== undefined) http.version = version;
  Object.assign(url, splitTarget(target));
}

function splitTarget(target: string): UrlFields {
  const q = target.indexOf('?');
  if (q < 0) return { original: target, path: target };
  const url: UrlFields = { original: target, path: target.slice(0, q) };
  if (q + 1 < target.length) url.query = target.slice(q + 1);
  return url;
}

function httpVersion(protocol: string): string | undefined {
  return protocol.startsWith('HTTP/') && protocol.length > 5 ? protocol.slice(5) : undefined;
}

function endpoint(address: string): EndpointFields | undefined {
  if (address === '' || address === '-') return undefined;
  return looksLikeIp(address) ? { address, ip: address } : { address };
}

function looksLikeIp(value: string): boolean {
  let dots = 0;
  let colons = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 46) dots++;
    else if (c === 58) colons++;
    else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false;
  }
  return (dots === 3 && colons === 0) || colons >= 2;
}

function clfTime(time: string): number | undefined {
  const m = CLF_TIME.exec(time);
  if (m === null) return undefined;
  const [, day, mon = '', year, hh, mm, ss, sign, oh, om] = m;
  const month = MONTHS[mon];
  if (month === undefined) return undefined;
  const offsetMin = (Number(oh) * 60 + Number(om)) * (sign === '-' ? -1 : 1);
  const utc =
    Date.UTC(Number(year), month, Number(day), Number(hh), Number(mm), Number(ss)) - offsetMin * 60_000;
  return Number.isNaN(utc) ? undefined : utc;
}

function ctime(time: string): number | undefined {
  const m = CTIME.exec(time);
  if (m === null) return undefined;
  const [, mon = '', day, hh, mm, ss, year] = m;
  const month = MONTHS[mon];
  if (month === undefined) return undefined;
  const utc = Date.UTC(Number(year), month, Number(day), Number(hh), Number(mm), Number(ss));
  return Number.isNaN(utc) ? undefined : utc;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
