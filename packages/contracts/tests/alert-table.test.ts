import { describe, expect, test } from 'vitest';
import { ALERT_TABLE } from '../src/index.ts';

// DynamoDB refuses a table whose key attributes are not declared, or that declares attributes no
// key uses; these are the checks CreateTable would make, made before any deploy.
describe('ALERT_TABLE', () => {
  const declared = new Map<string, string>(ALERT_TABLE.attributes.map((a) => [a.name, a.type]));
  const keys = [ALERT_TABLE.hashKey, ALERT_TABLE.pendingIndex.hashKey, ALERT_TABLE.pendingIndex.rangeKey];

  test('declares every key attribute, and only key attributes', () => {
    for (const key of keys) expect(declared.has(key)).toBe(true);
    expect([...declared.keys()].sort()).toEqual([...new Set(keys)].sort());
  });

  test('keys are strings or numbers, and TTL is not a key', () => {
    for (const type of declared.values()) expect(['S', 'N']).toContain(type);
    expect(declared.has(ALERT_TABLE.ttlAttribute)).toBe(false);
  });
});
