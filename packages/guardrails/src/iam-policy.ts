// Reading IAM-style policy documents (bucket policies, destination access policies, OpenSearch access
// policies). Pulumi programs pass them either as a JSON string or as an object, and during preview
// parts of them may be unknown, so every function here takes the loose shape and says what it found
// instead of assuming the grammar was followed.
import { Unknown, firstUnknown, isRecord } from './inputs.ts';

/** One statement of a policy document, its fields as written (any of them may be an `Unknown`). */
export type Statement = Record<string, unknown>;

/** What `parsePolicyDocument` found. */
export type PolicyDocument =
  | { kind: 'absent' }
  | { kind: 'unknown'; unknown: Unknown }
  | { kind: 'invalid'; reason: string }
  | {
      kind: 'parsed';
      statements: Statement[];
      /** Size of the document as sent to AWS; undefined when part of it is unknown. */
      bytes: number | undefined;
    };

/** Parses a policy document given as a JSON string or an object, with `Statement` as one statement or a list. */
export function parsePolicyDocument(value: unknown): PolicyDocument {
  if (value === undefined || value === null || value === '') return { kind: 'absent' };
  if (value instanceof Unknown) return { kind: 'unknown', unknown: value };

  let document: unknown;
  let bytes: number | undefined;
  if (typeof value === 'string') {
    bytes = Buffer.byteLength(value, 'utf8');
    try {
      document = JSON.parse(value);
    } catch (error) {
      return { kind: 'invalid', reason: `is not valid JSON (${(error as Error).message})` };
    }
  } else {
    document = value;
    // The provider sends an object document to AWS as compact JSON, which is what we measure.
    bytes = firstUnknown(value) ? undefined : Buffer.byteLength(JSON.stringify(value), 'utf8');
  }

  if (!isRecord(document)) return { kind: 'invalid', reason: 'is not a JSON object' };
  const statement = document['Statement'];
  if (statement instanceof Unknown) return { kind: 'unknown', unknown: statement };
  if (statement === undefined) return { kind: 'invalid', reason: 'has no Statement' };

  // The policy grammar allows a single statement object as well as a list of them.
  const statements = Array.isArray(statement) ? statement : [statement];
  const unknownStatement = statements.find((item) => item instanceof Unknown);
  if (unknownStatement instanceof Unknown) return { kind: 'unknown', unknown: unknownStatement };
  if (!statements.every(isRecord))
    return { kind: 'invalid', reason: 'has a Statement that is not an object' };
  return { kind: 'parsed', statements, bytes };
}

/** How a violation message names a statement: by its Sid when it has one, else by its position. */
export function statementLabel(statement: Statement, index: number): string {
  const sid = statement['Sid'];
  return typeof sid === 'string' && sid !== '' ? `statement "${sid}"` : `statement ${index + 1}`;
}

/** True unless the statement is a Deny; a malformed Effect is treated as Allow, the unsafe reading. */
export function isAllow(statement: Statement): boolean {
  return statement['Effect'] !== 'Deny';
}

/** One principal of a statement, e.g. `{ type: 'AWS', id: '111122223333' }`. */
export interface Principal {
  type: string;
  id: string;
}

/** The principals of a `Principal` element: `"*"`, or `{ AWS | Service | Federated | CanonicalUser: id or ids }`. */
export function principalsOf(principal: unknown): Principal[] {
  // `"Principal": "*"` means the same as `"Principal": { "AWS": "*" }` (IAM User Guide, Principal element).
  if (typeof principal === 'string') return [{ type: 'AWS', id: principal }];
  if (!isRecord(principal)) return [];
  return Object.entries(principal).flatMap(([type, ids]) => stringsOf(ids).map((id) => ({ type, id })));
}

/** True when an Allow statement applies to anyone: a `*` principal, or a `NotPrincipal` (everyone but a few). */
export function grantsEveryone(statement: Statement): boolean {
  if (statement['NotPrincipal'] !== undefined) return true;
  return principalsOf(statement['Principal']).some((principal) => principal.id === '*');
}

/** True for an AWS account given as its 12-digit id or as its root ARN (`arn:aws:iam::111122223333:root`). */
export function isAccountPrincipal(principal: Principal): boolean {
  return principal.type === 'AWS' && /^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:root)$/.test(principal.id);
}

/** The actions of a statement's `Action` element (a string or a list). */
export function actionsOf(statement: Statement): string[] {
  return stringsOf(statement['Action']);
}

// Condition operators that only pass when the key is present and matches a value we can name. Left
// out: `…IfExists` (passes when the key is missing), `ForAllValues:` (passes on an empty set), and the
// negated operators (IAM User Guide, "IAM JSON policy elements: Condition operators").
const RESTRICTING_OPERATORS = new Set(
  ['StringEquals', 'StringEqualsIgnoreCase', 'StringLike', 'ArnEquals', 'ArnLike', 'IpAddress'].flatMap(
    (operator) => [operator.toLowerCase(), `foranyvalue:${operator.toLowerCase()}`],
  ),
);

/**
 * True when the statement's `Condition` pins one of `keys` (e.g. `aws:PrincipalOrgID`) to a value
 * with a positive operator; `"*"` (or `0.0.0.0/0`) restricts nothing. Keys compare case-insensitively, as
 * IAM does. The caller handles a whole `Condition` that is unknown.
 */
export function hasRestrictingCondition(statement: Statement, keys: readonly string[]): boolean {
  const wanted = new Set(keys.map((key) => key.toLowerCase()));
  const condition = statement['Condition'];
  if (!isRecord(condition)) return false;
  return Object.entries(condition).some(
    ([operator, block]) =>
      RESTRICTING_OPERATORS.has(operator.toLowerCase()) &&
      isRecord(block) &&
      Object.entries(block).some(([key, values]) => wanted.has(key.toLowerCase()) && pinsAValue(values)),
  );
}

// Values that match every caller, so a condition made only of them restricts nothing.
const MATCH_ANYTHING = new Set(['', '*', '0.0.0.0/0', '::/0']);

function pinsAValue(values: unknown): boolean {
  // A value unknown during preview is the id or ARN of a resource in the stack: a specific value.
  if (firstUnknown(values)) return true;
  return stringsOf(values).some((value) => !MATCH_ANYTHING.has(value));
}

/** The fields of a statement a check reads, returning the first one that is unknown during preview. */
export function unknownIn(statement: Statement, fields: readonly string[]): Unknown | undefined {
  for (const field of fields) {
    const found = firstUnknown(statement[field]);
    if (found) return found;
  }
  return undefined;
}

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}
