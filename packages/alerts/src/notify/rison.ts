// Rison (https://github.com/Nanonid/rison): the compact JSON OpenSearch Dashboards (like Kibana)
// keeps its app state in, e.g. `_g=(time:(from:now-15m,to:now))`. Only the encoder lives here,
// written to match rison-node, the implementation Dashboards decodes with:
//   - strings that are valid ids are bare, others quoted in `'…'` with `!` → `!!` and `'` → `!'`;
//   - `!t` `!f` `!n` for true, false, null; `!(…)` for arrays; `(k:v,…)` for objects;
//   - object keys are sorted, and undefined values are left out.

/** A value rison can encode. */
export type RisonValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly RisonValue[]
  | { readonly [key: string]: RisonValue };

// Characters that may not appear in a bare id, and those that may not start one (rison-node's
// `not_idchar` and `not_idstart`): a leading digit or `-` would read as a number.
const ID = /^[^-0-9 '!:(),*@$][^ '!:(),*@$]*$/;

/** Encodes a value as rison. */
export function encodeRison(value: RisonValue): string {
  if (value === null || value === undefined) return '!n';
  if (typeof value === 'boolean') return value ? '!t' : '!f';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value).replace('+', '') : '!n';
  if (typeof value === 'string') return risonString(value);
  if (isArray(value)) return `!(${value.map(encodeRison).join(',')})`;
  const entries = Object.keys(value)
    .sort()
    .filter((key) => value[key] !== undefined)
    .map((key) => `${risonString(key)}:${encodeRison(value[key])}`);
  return `(${entries.join(',')})`;
}

function risonString(text: string): string {
  if (text === '') return "''";
  if (ID.test(text)) return text;
  return `'${text.replace(/[!']/g, (char) => `!${char}`)}'`;
}

// Array.isArray does not narrow a readonly array out of a union.
function isArray(value: object): value is readonly RisonValue[] {
  return Array.isArray(value);
}
