import { describe, expect, it } from 'vitest';
import {
  actionsOf,
  grantsEveryone,
  hasRestrictingCondition,
  isAccountPrincipal,
  parsePolicyDocument,
  principalsOf,
  statementLabel,
} from '../src/iam-policy.ts';
import { Unknown, readInputs } from '../src/inputs.ts';
import { UNKNOWN_STRING, duringPreview } from './support/preview.ts';

const statement = { Sid: 'Read', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' };

describe('parsePolicyDocument', () => {
  it('parses a JSON string and measures its bytes', () => {
    const text = JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
    expect(parsePolicyDocument(text)).toEqual({
      kind: 'parsed',
      statements: [statement],
      bytes: Buffer.byteLength(text),
    });
  });

  it('takes an object, and a single statement outside a list', () => {
    expect(parsePolicyDocument({ Statement: statement })).toEqual({
      kind: 'parsed',
      statements: [statement],
      bytes: Buffer.byteLength(JSON.stringify({ Statement: statement })),
    });
  });

  it('says absent for undefined, null and the empty string', () => {
    for (const value of [undefined, null, '']) expect(parsePolicyDocument(value)).toEqual({ kind: 'absent' });
  });

  it('says unknown for an unknown document or Statement, and leaves bytes undefined for unknown parts', () => {
    const props = readInputs(
      duringPreview({
        type: 't',
        name: 'n',
        props: {
          whole: UNKNOWN_STRING,
          statementList: { Statement: UNKNOWN_STRING },
          resource: { Statement: [{ ...statement, Resource: UNKNOWN_STRING }] },
        },
      }).props,
    );
    expect(parsePolicyDocument(props['whole'])).toMatchObject({ kind: 'unknown' });
    expect(parsePolicyDocument(props['statementList'])).toMatchObject({ kind: 'unknown' });
    const partly = parsePolicyDocument(props['resource']);
    expect(partly).toMatchObject({ kind: 'parsed', bytes: undefined });
  });

  it('says invalid, with the reason, for malformed documents', () => {
    expect(parsePolicyDocument('[1, 2]')).toEqual({ kind: 'invalid', reason: 'is not a JSON object' });
    expect(parsePolicyDocument({ Version: '2012-10-17' })).toEqual({
      kind: 'invalid',
      reason: 'has no Statement',
    });
    expect(parsePolicyDocument({ Statement: ['Allow'] })).toEqual({
      kind: 'invalid',
      reason: 'has a Statement that is not an object',
    });
    expect(parsePolicyDocument('{')).toMatchObject({
      kind: 'invalid',
      reason: expect.stringMatching(/^is not valid JSON/),
    });
  });
});

describe('principals', () => {
  it('reads "*", { AWS: id }, lists and service principals', () => {
    expect(principalsOf('*')).toEqual([{ type: 'AWS', id: '*' }]);
    expect(principalsOf({ AWS: ['111111111111', '*'], Service: 'logs.amazonaws.com' })).toEqual([
      { type: 'AWS', id: '111111111111' },
      { type: 'AWS', id: '*' },
      { type: 'Service', id: 'logs.amazonaws.com' },
    ]);
    expect(principalsOf(undefined)).toEqual([]);
  });

  it('sees anyone in "*", { AWS: "*" } and NotPrincipal, not in a service', () => {
    expect(grantsEveryone(statement)).toBe(true);
    expect(grantsEveryone({ ...statement, Principal: { AWS: '*' } })).toBe(true);
    expect(grantsEveryone({ Effect: 'Allow', NotPrincipal: { AWS: '111111111111' } })).toBe(true);
    expect(grantsEveryone({ ...statement, Principal: { Service: 'cloudtrail.amazonaws.com' } })).toBe(false);
  });

  it('recognizes accounts by id or root ARN, in any partition', () => {
    expect(isAccountPrincipal({ type: 'AWS', id: '111111111111' })).toBe(true);
    expect(isAccountPrincipal({ type: 'AWS', id: 'arn:aws:iam::111111111111:root' })).toBe(true);
    expect(isAccountPrincipal({ type: 'AWS', id: 'arn:aws-us-gov:iam::111111111111:root' })).toBe(true);
    expect(isAccountPrincipal({ type: 'AWS', id: 'arn:aws:iam::111111111111:role/shipper' })).toBe(false);
    expect(isAccountPrincipal({ type: 'AWS', id: '11111111111' })).toBe(false);
    expect(isAccountPrincipal({ type: 'Service', id: '111111111111' })).toBe(false);
  });
});

describe('statements', () => {
  it('lists actions from a string or a list', () => {
    expect(actionsOf(statement)).toEqual(['s3:GetObject']);
    expect(actionsOf({ Action: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(actionsOf({})).toEqual([]);
  });

  it('labels a statement by Sid, else by position', () => {
    expect(statementLabel(statement, 0)).toBe('statement "Read"');
    expect(statementLabel({ Effect: 'Allow' }, 2)).toBe('statement 3');
  });

  it('finds a restricting condition under ForAnyValue, and counts an unknown value as a specific one', () => {
    const keys = ['aws:PrincipalOrgID'];
    expect(
      hasRestrictingCondition(
        { Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgID': ['o-a1b2c3d4e5'] } } },
        keys,
      ),
    ).toBe(true);
    expect(
      hasRestrictingCondition(
        { Condition: { 'ForAllValues:StringEquals': { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } },
        keys,
      ),
    ).toBe(false);
    expect(
      hasRestrictingCondition(
        { Condition: { StringEquals: { 'aws:PrincipalOrgID': new Unknown(new Error('unknown')) } } },
        keys,
      ),
    ).toBe(true);
    expect(
      hasRestrictingCondition({ Condition: { StringEquals: { 'aws:PrincipalOrgID': ['', '*'] } } }, keys),
    ).toBe(false);
    expect(hasRestrictingCondition({}, keys)).toBe(false);
  });
});
