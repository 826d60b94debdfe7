import type { ParsedEvent } from './types.ts';

const LEVEL_KEYS = ['level', 'severity', 'log.level', 'levelname'] as const;
const MESSAGE_KEYS = ['message', 'msg'] as const;

/**
 * Any message no source parser claims: kept whole in `message`. When it is a JSON object the
 * common `level`/`message` keys are lifted, so application logs are searchable by level.
 */
export function parseGeneric(message: string, json?: unknown): ParsedEvent {
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    const record = json as Record<string, unknown>;
    const level = firstString(record, LEVEL_KEYS);
    const text = firstString(record, MESSAGE_KEYS);
    return {
      dataset: 'aws.cloudwatch_logs',
      fields: {
        message: text ?? message,
        ...(level === undefined ? {} : { log: { level: level.toLowerCase() } }),
      },
    };
  }
  return { dataset: 'aws.cloudwatch_logs', fields: { message } };
}

function firstString(record: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'string') return value;
  }
  return undefined;
}
