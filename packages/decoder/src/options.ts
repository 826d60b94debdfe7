import { parseFlowLogFormat, type FlowLogFormat } from './parse/vpc-flow-log.ts';
import { isParseFailure } from './parse/types.ts';
import { DEFAULT_LOG_GROUP_RULES, SOURCES, type LogGroupRule, type Source } from './detect.ts';

/** How the decoder behaves; every field has a default that suits the central pipeline. */
export interface DecoderOptions {
  /**
   * Most bytes one payload may inflate to; larger ones are refused as `too_large` (a gzip bomb
   * costs at most this much memory). CloudWatch Logs payloads are ≤ 1 MiB compressed and inflate
   * 6–10×, so the 32 MiB default leaves ample room. Default 32 MiB.
   */
  readonly maxDecompressedBytes?: number;
  /**
   * Messages longer than this are kept as text but not parsed, so one huge event cannot stall the
   * batch. CloudWatch Logs events are at most 1 MiB. Default 1 MiB.
   */
  readonly maxParseBytes?: number;
  /** Keep the raw message in `event.original`. Default true. */
  readonly keepOriginal?: boolean;
  /** Log-group rules checked before the built-in ones (first match wins). */
  readonly logGroupSources?: readonly LogGroupSourceOption[];
  /**
   * Custom flow-log formats by log group (first match wins); others use the default v2 format.
   * A log group with a format holds flow logs, whatever its name: these rules come after
   * `logGroupSources` and before the built-in ones.
   */
  readonly flowLogFormats?: readonly FlowLogFormatOption[];
}

/** Routes log groups whose name matches `pattern` to `source`. */
export interface LogGroupSourceOption {
  /** A RegExp, or a glob where `*` matches any run of characters (`/org/flow-logs/*`). */
  readonly pattern: string | RegExp;
  readonly source: Source;
}

/** The flow-log format of the log groups matching `logGroup`. */
export interface FlowLogFormatOption {
  readonly logGroup: string | RegExp;
  /** The format string as given to AWS: `${version} ${vpc-id} …`. */
  readonly format: string;
}

/** Options with defaults applied and patterns compiled, once, at cold start. */
export interface ResolvedOptions {
  readonly maxDecompressedBytes: number;
  readonly maxParseBytes: number;
  readonly keepOriginal: boolean;
  readonly logGroupRules: readonly LogGroupRule[];
  readonly flowLogFormats: ReadonlyArray<{ readonly logGroup: RegExp; readonly format: FlowLogFormat }>;
}

/** A configuration mistake: reported at startup, never at the first matching record. */
export class DecoderConfigError extends Error {
  override readonly name = 'DecoderConfigError';
}

const MiB = 1024 * 1024;

/** Applies defaults, compiles patterns and flow-log formats; throws {@link DecoderConfigError}. */
export function resolveOptions(options: DecoderOptions = {}): ResolvedOptions {
  const maxDecompressedBytes = positiveInteger(
    options.maxDecompressedBytes ?? 32 * MiB,
    'maxDecompressedBytes',
  );
  const maxParseBytes = positiveInteger(options.maxParseBytes ?? MiB, 'maxParseBytes');
  const custom = (options.logGroupSources ?? []).map((rule, i): LogGroupRule => {
    if (!(SOURCES as readonly string[]).includes(rule.source)) {
      throw new DecoderConfigError(
        `logGroupSources[${i}].source ${JSON.stringify(rule.source)} is not one of ${SOURCES.join(', ')}`,
      );
    }
    return { pattern: toRegExp(rule.pattern), source: rule.source };
  });
  const flowLogFormats = (options.flowLogFormats ?? []).map((entry, i) => {
    const format = parseFlowLogFormat(entry.format);
    if (isParseFailure(format)) {
      throw new DecoderConfigError(`flowLogFormats[${i}] (${String(entry.logGroup)}): ${format.failure}`);
    }
    return { logGroup: toRegExp(entry.logGroup), format };
  });
  return {
    maxDecompressedBytes,
    maxParseBytes,
    keepOriginal: options.keepOriginal ?? true,
    logGroupRules: [
      ...custom,
      ...flowLogFormats.map((entry): LogGroupRule => ({ pattern: entry.logGroup, source: 'vpcflow' })),
      ...DEFAULT_LOG_GROUP_RULES,
    ],
    flowLogFormats,
  };
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new DecoderConfigError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** Compiles a glob (`*` = any run of characters, anchored) or passes a RegExp through. */
export function toRegExp(pattern: string | RegExp): RegExp {
  if (pattern instanceof RegExp) return pattern;
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}
