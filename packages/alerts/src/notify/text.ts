// Small string helpers shared by the SNS and Slack renderers. Every limit the services enforce is
// a length: cutting must never split a surrogate pair (it would make the text invalid UTF-8, which
// SNS rejects) nor an escape sequence (`&amp;` cut to `&am` renders as garbage in Slack).

const ELLIPSIS = '…';

/**
 * `text` cut to at most `max` UTF-16 code units (JavaScript's `length`, the most conservative way
 * to count what Slack calls characters), ending in `…` when cut.
 */
export function truncate(text: string, max: number, ellipsis: string = ELLIPSIS): string {
  if (text.length <= max) return text;
  const room = Math.max(0, max - ellipsis.length);
  return cutCodePoints(text, room) + ellipsis.slice(0, max);
}

/** `text` cut to at most `maxBytes` bytes of UTF-8, ending in `…` when cut. */
export function truncateBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const room = Math.max(0, maxBytes - Buffer.byteLength(ELLIPSIS, 'utf8'));
  // Decoding a cut buffer would replace a split character with U+FFFD (3 bytes): cut on code points.
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > room) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end) + ELLIPSIS;
}

/**
 * `text` with every lone surrogate replaced by U+FFFD. Log fields can hold them (JSON `"\ud800"`
 * parses into one), and they cannot be encoded: `encodeURIComponent` and the SDK's request
 * serializer throw on them, and they are not valid UTF-8 for SNS or Slack.
 */
export function wellFormed(text: string): string {
  const t = text as string & { isWellFormed(): boolean; toWellFormed(): string }; // ES2024, Node ≥ 20
  return t.isWellFormed() ? text : t.toWellFormed();
}

/** The longest prefix of `text` with at most `max` code units that does not split a surrogate pair. */
function cutCodePoints(text: string, max: number): string {
  let end = Math.min(max, text.length);
  const last = text.charCodeAt(end - 1);
  // A high surrogate at the cut would be left without its low half.
  if (end > 0 && end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end);
}

/**
 * Escapes the three characters Slack mrkdwn treats as control characters; everything else is
 * sent as is ("Escaping text", https://api.slack.com/reference/surfaces/formatting#escaping).
 * Escaping `<` is also what stops a value from smuggling in `<!channel>` or a disguised link.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * `raw` escaped for mrkdwn and cut to at most `max` code units after escaping, without cutting
 * through an entity (`&amp;` cut to `&am` would show as text) or a surrogate pair.
 */
export function mrkdwn(raw: string, max: number): string {
  const escaped = escapeMrkdwn(raw);
  if (escaped.length <= max) return escaped;
  const room = Math.max(0, max - ELLIPSIS.length);
  let kept = '';
  for (const char of raw) {
    const piece = escapeMrkdwn(char);
    if (kept.length + piece.length > room) break;
    kept += piece;
  }
  return kept + ELLIPSIS;
}
