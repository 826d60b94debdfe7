import { describe, expect, it } from 'vitest';
import { DecodeError, validateSubscriptionMessage, type DataMessage } from '../../src/index.ts';
import { dataMessage, fixture } from '../support/payloads.ts';

interface VrlCases {
  cases: Array<{
    origin: string;
    input?: DataMessage;
    input_raw?: string;
    expected?: { log_events: Array<{ id: string; message: string; timestamp: string }> };
  }>;
}

describe('validateSubscriptionMessage', () => {
  const base = dataMessage('/aws/lambda/orders', ['hello']);

  it('accepts the Vector VRL examples and keeps every event', () => {
    const { cases } = fixture<VrlCases>(
      'envelopes/vrl_parse_aws_cloudwatch_log_subscription_message_cases.json',
    );
    const valid = cases.filter((c) => c.input !== undefined);
    expect(valid.length).toBeGreaterThan(0);
    for (const c of valid) {
      const result = validateSubscriptionMessage(c.input);
      expect(result).not.toBeInstanceOf(DecodeError);
      const events = (result as DataMessage).logEvents;
      expect(
        events.map((e) => ({ id: e.id, message: e.message, timestamp: new Date(e.timestamp).toISOString() })),
      ).toEqual(c.expected?.log_events);
    }
  });

  it('accepts the policyLevel an account-level subscription policy adds', () => {
    const message = fixture('envelopes/powertools_cloudWatchLogEventWithPolicyLevel.DECODED.json');
    expect((validateSubscriptionMessage(message) as DataMessage).policyLevel).toBe('ACCOUNT_LEVEL_POLICY');
  });

  it('passes a CONTROL_MESSAGE through as control', () => {
    expect(
      validateSubscriptionMessage({ messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logEvents: [] }),
    ).toEqual({
      messageType: 'CONTROL_MESSAGE',
    });
  });

  const cases: Array<[string, unknown, string]> = [
    ['a number (VRL: invalid_type)', 42, 'invalid_schema'],
    ['an array', [base], 'invalid_schema'],
    ['an unknown messageType', { ...base, messageType: 'PING' }, 'unknown_message_type'],
    ['a missing messageType', { ...base, messageType: undefined }, 'unknown_message_type'],
    ['empty logEvents', { ...base, logEvents: [] }, 'empty_log_events'],
    ['owner as a number', { ...base, owner: 111122223333 }, 'invalid_schema'],
    ['logGroup missing', { ...base, logGroup: undefined }, 'invalid_schema'],
    ['subscriptionFilters as a string', { ...base, subscriptionFilters: 'f' }, 'invalid_schema'],
    ['logEvents as an object', { ...base, logEvents: {} }, 'invalid_schema'],
    [
      'an event id as a number (precision already lost)',
      { ...base, logEvents: [{ ...base.logEvents[0], id: 3.7e55 }] },
      'invalid_schema',
    ],
    [
      'an event timestamp as a string',
      { ...base, logEvents: [{ ...base.logEvents[0], timestamp: '1700000000000' }] },
      'invalid_schema',
    ],
    [
      'an event timestamp beyond what a Date holds',
      { ...base, logEvents: [{ ...base.logEvents[0], timestamp: 9e15 }] },
      'invalid_schema',
    ],
    [
      'an event message as an object',
      { ...base, logEvents: [{ ...base.logEvents[0], message: {} }] },
      'invalid_schema',
    ],
    [
      'extractedFields with a number',
      { ...base, logEvents: [{ ...base.logEvents[0], extractedFields: { '@aws.account': 1 } }] },
      'invalid_schema',
    ],
    ['policyLevel as a boolean', { ...base, policyLevel: true }, 'invalid_schema'],
  ];
  it.each(cases)('refuses %s with a reason', (_, value, reason) => {
    const result = validateSubscriptionMessage(value);
    expect(result).toBeInstanceOf(DecodeError);
    expect((result as DecodeError).reason).toBe(reason);
    expect((result as DecodeError).message.length).toBeGreaterThan(10);
  });
});
