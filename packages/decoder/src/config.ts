import {
  DecoderConfigError,
  type DecoderOptions,
  type FlowLogFormatOption,
  type LogGroupSourceOption,
} from './options.ts';
import { DEFAULT_RESPONSE_LIMIT_BYTES, type OutputCompression } from './firehose/transform.ts';

/** The Firehose transformation Lambda's configuration, read once from its environment. */
export interface FirehoseProcessorConfig {
  readonly decoder: DecoderOptions;
  readonly responseLimitBytes: number;
  readonly compression: OutputCompression;
}

/**
 * Reads decoder options from environment variables; the one place the decoder reads `process.env`
 * style input. Unset variables take the decoder's defaults; a malformed one throws
 * {@link DecoderConfigError} naming it, so a bad deployment fails at cold start.
 *
 * - `DECODER_MAX_DECOMPRESSED_BYTES`, `DECODER_MAX_PARSE_BYTES`: positive integers.
 * - `DECODER_KEEP_ORIGINAL`: `true` | `false`.
 * - `DECODER_LOG_GROUP_SOURCES`: JSON `[{"pattern":"/org/flow/*","source":"vpcflow"}]`.
 * - `DECODER_FLOW_LOG_FORMATS`: JSON `[{"logGroup":"/org/flow/*","format":"${version} …"}]`.
 */
export function decoderOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): DecoderOptions {
  const maxDecompressedBytes = integer(env, 'DECODER_MAX_DECOMPRESSED_BYTES');
  const maxParseBytes = integer(env, 'DECODER_MAX_PARSE_BYTES');
  const keepOriginal = boolean(env, 'DECODER_KEEP_ORIGINAL');
  const logGroupSources = jsonArray<LogGroupSourceOption>(env, 'DECODER_LOG_GROUP_SOURCES', [
    'pattern',
    'source',
  ]);
  const flowLogFormats = jsonArray<FlowLogFormatOption>(env, 'DECODER_FLOW_LOG_FORMATS', [
    'logGroup',
    'format',
  ]);
  return {
    ...(maxDecompressedBytes === undefined ? {} : { maxDecompressedBytes }),
    ...(maxParseBytes === undefined ? {} : { maxParseBytes }),
    ...(keepOriginal === undefined ? {} : { keepOriginal }),
    ...(logGroupSources === undefined ? {} : { logGroupSources }),
    ...(flowLogFormats === undefined ? {} : { flowLogFormats }),
  };
}

/**
 * Reads the Firehose processor's configuration: the decoder's variables plus
 * `FIREHOSE_RESPONSE_LIMIT_BYTES` and `FIREHOSE_OUTPUT_COMPRESSION` (`gzip` | `none`).
 */
export function firehoseProcessorConfigFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): FirehoseProcessorConfig {
  return {
    decoder: decoderOptionsFromEnv(env),
    responseLimitBytes: integer(env, 'FIREHOSE_RESPONSE_LIMIT_BYTES') ?? DEFAULT_RESPONSE_LIMIT_BYTES,
    compression: oneOf(env, 'FIREHOSE_OUTPUT_COMPRESSION', ['gzip', 'none'] as const) ?? 'gzip',
  };
}

function integer(env: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new DecoderConfigError(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function oneOf<T extends string>(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  values: readonly T[],
): T | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if ((values as readonly string[]).includes(raw)) return raw as T;
  throw new DecoderConfigError(`${name} must be one of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
}

function boolean(env: Readonly<Record<string, string | undefined>>, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new DecoderConfigError(`${name} must be true or false, got ${JSON.stringify(raw)}`);
}

function jsonArray<T>(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  keys: readonly string[],
): T[] | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new DecoderConfigError(`${name} must be JSON, got ${JSON.stringify(raw.slice(0, 80))}`);
  }
  if (!Array.isArray(value)) throw new DecoderConfigError(`${name} must be a JSON array`);
  value.forEach((entry: unknown, i) => {
    const record = entry as Record<string, unknown> | null;
    for (const key of keys) {
      if (typeof record !== 'object' || record === null || typeof record[key] !== 'string') {
        throw new DecoderConfigError(`${name}[${i}].${key} must be a string`);
      }
    }
  });
  return value as T[];
}
