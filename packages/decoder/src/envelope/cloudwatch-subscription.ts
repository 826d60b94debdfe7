import { DecodeError } from '../errors.ts';

/** One log event as CloudWatch Logs delivers it to a subscription. */
export interface SubscriptionLogEvent {
  /** A 56-digit decimal string, unique across CloudWatch Logs and stable across redelivery. */
  readonly id: string;
  /** Ingestion-side event time, epoch milliseconds. */
  readonly timestamp: number;
  readonly message: string;
  /** Present for filter patterns with fields and for centralized log groups (`@aws.account`, `@aws.region`). */
  readonly extractedFields?: Readonly<Record<string, string>>;
}

/** The JSON inside every CloudWatch Logs subscription delivery. */
export interface DataMessage {
  readonly messageType: 'DATA_MESSAGE';
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: readonly string[];
  readonly logEvents: readonly SubscriptionLogEvent[];
  /** `ACCOUNT_LEVEL_POLICY` when an account-level subscription policy delivered it. */
  readonly policyLevel?: string;
}

/** Sent once when a subscription is created, to check the destination is writable; never indexed. */
export interface ControlMessage {
  readonly messageType: 'CONTROL_MESSAGE';
}

/** Either message CloudWatch Logs sends. */
export type SubscriptionMessage = DataMessage | ControlMessage;

// The largest and smallest instants a JavaScript Date can hold (ECMA-262 §21.4.1.22).
const MAX_TIME_MS = 8.64e15;

/**
 * Checks a parsed JSON value against the subscription message schema. Strict on purpose: a wrong
 * type anywhere means the producer is not CloudWatch Logs, and the payload is kept with the reason.
 */
export function validateSubscriptionMessage(value: unknown): SubscriptionMessage | DecodeError {
  if (!isRecord(value)) return schemaError('payload is not a JSON object');
  const { messageType } = value;
  if (messageType === 'CONTROL_MESSAGE') return { messageType };
  if (messageType !== 'DATA_MESSAGE') {
    return new DecodeError(
      'unknown_message_type',
      `messageType ${JSON.stringify(messageType) ?? 'undefined'} is neither DATA_MESSAGE nor CONTROL_MESSAGE`,
    );
  }
  for (const key of ['owner', 'logGroup', 'logStream'] as const) {
    if (typeof value[key] !== 'string') return schemaError(`${key} must be a string`);
  }
  const { subscriptionFilters, logEvents, policyLevel } = value;
  if (!Array.isArray(subscriptionFilters) || !subscriptionFilters.every((f) => typeof f === 'string')) {
    return schemaError('subscriptionFilters must be an array of strings');
  }
  if (policyLevel !== undefined && typeof policyLevel !== 'string') {
    return schemaError('policyLevel must be a string');
  }
  if (!Array.isArray(logEvents)) return schemaError('logEvents must be an array');
  if (logEvents.length === 0) {
    // A DATA_MESSAGE always carries at least one event; an empty one is not from CloudWatch Logs.
    return new DecodeError('empty_log_events', 'DATA_MESSAGE has no logEvents');
  }
  for (let i = 0; i < logEvents.length; i++) {
    const problem = logEventProblem(logEvents[i]);
    if (problem !== undefined) return schemaError(`logEvents[${i}]: ${problem}`);
  }
  return value as unknown as DataMessage;
}

function logEventProblem(event: unknown): string | undefined {
  if (!isRecord(event)) return 'is not an object';
  // A numeric id would already have lost precision in JSON.parse: refuse rather than index a wrong _id.
  if (typeof event.id !== 'string' || event.id.length === 0) return 'id must be a non-empty string';
  const { timestamp, message, extractedFields } = event;
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || Math.abs(timestamp) > MAX_TIME_MS) {
    return 'timestamp must be epoch milliseconds';
  }
  if (typeof message !== 'string') return 'message must be a string';
  if (extractedFields !== undefined) {
    if (!isRecord(extractedFields)) return 'extractedFields must be an object';
    for (const key in extractedFields) {
      if (typeof extractedFields[key] !== 'string') return `extractedFields.${key} must be a string`;
    }
  }
  return undefined;
}

function schemaError(detail: string): DecodeError {
  return new DecodeError('invalid_schema', `not a CloudWatch Logs subscription message: ${detail}`);
}

/** True for a plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
