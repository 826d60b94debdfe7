import type { Alert } from '../alert.ts';
import { encodeRison } from './rison.ts';

/** Where the links in a notification point. */
export interface LinkOptions {
  /** OpenSearch Dashboards base URL, e.g. `https://logs.example.com/_dashboards`. */
  readonly dashboardsUrl: string;
  /**
   * Index pattern title → saved-object id. Discover's state names the index pattern by id; the
   * dashboards app creates its patterns with the title as id, which is the default here.
   */
  readonly indexPatternIds?: Readonly<Record<string, string>> | undefined;
}

/** How far either side of a single event's time the Discover link searches. */
const AROUND_EVENT_MS = 15 * 60_000;

/**
 * The OpenSearch Dashboards 2.x Discover (data-explorer) URL that shows the alert's events: its
 * index pattern, its DQL query, and its window (or its time ± 15 minutes).
 *
 * The state format is the one Dashboards itself writes when sharing a Discover link
 * (OpenSearch-Dashboards: `data_explorer/.../redux_persistence.ts` keeps `_a` with
 * `metadata.indexPattern` as a saved-object id; the data-explorer shared-links Cypress spec shows
 * `#?_a=(discover:(…),metadata:(indexPattern:'…',view:discover))&_g=(…,time:(from:'…',to:'…'))
 * &_q=(filters:!(),query:(language:kuery,query:''))`). Dashboards reads the hash back with Node's
 * `url.parse(hash, true)`, so each rison value is percent-encoded as a query-string value.
 */
export function discoverUrl(alert: Alert, links: LinkOptions): string {
  const base = links.dashboardsUrl.replace(/\/+$/, '');
  const ids = links.indexPatternIds;
  const indexPattern =
    ids !== undefined && Object.hasOwn(ids, alert.indexPattern)
      ? (ids[alert.indexPattern] ?? alert.indexPattern)
      : alert.indexPattern;
  const { from, to } = discoverTimeRange(alert);

  const appState = encodeRison({
    discover: { columns: ['_source'], isDirty: false, sort: [] },
    metadata: { indexPattern, view: 'discover' },
  });
  const globalState = encodeRison({
    filters: [],
    refreshInterval: { pause: true, value: 0 },
    time: { from, to },
  });
  const queryState = encodeRison({ filters: [], query: { language: 'kuery', query: alert.query } });

  return (
    `${base}/app/data-explorer/discover#?_a=${encodeQueryValue(appState)}` +
    `&_g=${encodeQueryValue(globalState)}&_q=${encodeQueryValue(queryState)}`
  );
}

/** The time range the Discover link shows: the alert's window, else its time ± 15 minutes. */
export function discoverTimeRange(alert: Alert): { from: string; to: string } {
  const start = alert.window ? Date.parse(alert.window.start) : Date.parse(alert.time) - AROUND_EVENT_MS;
  const end = alert.window ? Date.parse(alert.window.end) : Date.parse(alert.time) + AROUND_EVENT_MS;
  // A malformed time must still give a usable link (Dashboards' relative syntax) rather than no link.
  if (Number.isNaN(start) || Number.isNaN(end)) return { from: 'now-24h', to: 'now' };
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString() };
}

/**
 * Percent-encodes a rison value for the hash's query string. Stricter than Dashboards' own
 * encoder (which leaves `!'()*` bare): mail clients and chat apps that auto-link plain text often
 * end a link at a quote or a parenthesis, and `url.parse` decodes either form the same way.
 */
function encodeQueryValue(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',');
}
