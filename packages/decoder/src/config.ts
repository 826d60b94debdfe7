import {
  DecoderConfigError,
  type DecoderOptions,
  type FlowLogFormatOption,
  type LogGroupSourceOption,
} from './options.ts';
import { envReader, type Env } from './env.ts';
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
export function decoderOptionsFromEnv(env: Env): DecoderOptions {
  const read = envReader(env, (message) => new DecoderConfigError(message));
  const maxDecompressedBytes = read.integer('DECODER_MAX_DECOMPRESSED_BYTES');
  const maxParseBytes = read.integer('DECODER_MAX_PARSE_BYTES');
  const keepOriginal = read.boolean('DECODER_KEEP_ORIGINAL');
  const logGroupSources = read.jsonArray<LogGroupSourceOption>('DECODER_LOG_GROUP_SOURCES', [
    'pattern',
    'source',
  ]);
  const flowLogFormats = read.jsonArray<FlowLogFormatOption>('DECODER_FLOW_LOG_FORMATS', [
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
export function firehoseProcessorConfigFromEnv(env: Env): FirehoseProcessorConfig {
  const read = envReader(env, (message) => new DecoderConfigError(message));
  return {
    decoder: decoderOptionsFromEnv(env),
    responseLimitBytes: read.integer('FIREHOSE_RESPONSE_LIMIT_BYTES') ?? DEFAULT_RESPONSE_LIMIT_BYTES,
    compression: read.oneOf('FIREHOSE_OUTPUT_COMPRESSION', ['gzip', 'none'] as const) ?? 'gzip',
  };
}
