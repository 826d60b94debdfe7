import type { LogDocument } from '@central-logging/log-schema';
import { decodeBase64, decodeUtf8, decompress } from './decompress.ts';
import { sourceForContent, sourceForLogGroup, type Source } from './detect.ts';
import {
  validateSubscriptionMessage,
  type DataMessage,
  type SubscriptionLogEvent,
  type SubscriptionMessage,
} from './envelope/cloudwatch-subscription.ts';
import { DecodeError } from './errors.ts';
import { normalize } from './normalize.ts';
import { resolveOptions, type DecoderOptions, type ResolvedOptions } from './options.ts';
import { parseCloudTrail } from './parse/cloudtrail.ts';
import { parseContainerLog } from './parse/container.ts';
import { parseGeneric } from './parse/generic.ts';
import { parseGuardDuty } from './parse/guardduty.ts';
import { parseLambdaLog } from './parse/lambda.ts';
import { parseRoute53PublicQuery } from './parse/route53-public.ts';
import { parseRoute53ResolverQuery } from './parse/route53-resolver.ts';
import {
  isParseFailure,
  parseFailure,
  type ParseContext,
  type ParseOutput,
  type ParseResult,
} from './parse/types.ts';
import {
  isFlowLogHeader,
  parseFlowLogFormat,
  parseVpcFlowLog,
  type FlowLogFormat,
} from './parse/vpc-flow-log.ts';

/** Counts for one payload. Every log event is a document, a skipped header or an empty record. */
export interface DecodeStats {
  /** Log events in the payload. */
  events: number;
  /** Documents produced (one log event may hold several records, e.g. CloudTrail `Records`). */
  documents: number;
  /** Events that parsed to no record on purpose (`{"findings":[]}`). */
  emptyEvents: number;
  /** Flow-log header lines: they set the format for the events after them and are not indexed. */
  headers: number;
  /** Documents kept as text because their source parser refused them (tagged `parse_failure`). */
  parseFailures: number;
  /** Documents kept as text, unparsed, because they exceed `maxParseBytes`. */
  oversized: number;
}

/** The outcome of decoding one subscription payload. */
export type PayloadResult =
  | {
      readonly kind: 'data';
      readonly message: DataMessage;
      readonly documents: LogDocument[];
      readonly stats: DecodeStats;
    }
  | { readonly kind: 'control' }
  | { readonly kind: 'error'; readonly error: DecodeError };

/** A configured decoder: options are resolved once, then it decodes any number of payloads. */
export interface Decoder {
  readonly options: ResolvedOptions;
  /** Decodes base64 text or compressed bytes holding one subscription payload. */
  decodeData(data: string | Uint8Array): PayloadResult;
  /** Decodes an already-parsed JSON subscription message (validated here). */
  decodeMessage(message: unknown): PayloadResult;
  /** Turns the log events of a validated DATA_MESSAGE into documents. */
  decodeEvents(message: DataMessage): { documents: LogDocument[]; stats: DecodeStats };
}

/** Creates a decoder; throws `DecoderConfigError` for bad options, so it fails at cold start. */
export function createDecoder(options?: DecoderOptions): Decoder {
  const resolved = resolveOptions(options);
  const sourceCache = new Map<string, Source | undefined>();

  function sourceOf(logGroup: string): Source | undefined {
    if (sourceCache.has(logGroup)) return sourceCache.get(logGroup);
    const source = sourceForLogGroup(logGroup, resolved.logGroupRules);
    // Bounded: an organization has many log groups, but a Lambda must not grow without limit.
    if (sourceCache.size >= 10_000) sourceCache.clear();
    sourceCache.set(logGroup, source);
    return source;
  }

  // undefined: no format configured, so the flow-log parser picks one by field count.
  function flowFormatOf(logGroup: string): FlowLogFormat | undefined {
    for (const entry of resolved.flowLogFormats) {
      if (entry.logGroup.test(logGroup)) return entry.format;
    }
    return undefined;
  }

  function decodeEvents(message: DataMessage): { documents: LogDocument[]; stats: DecodeStats } {
    const stats: DecodeStats = {
      events: message.logEvents.length,
      documents: 0,
      emptyEvents: 0,
      headers: 0,
      parseFailures: 0,
      oversized: 0,
    };
    const documents: LogDocument[] = [];
    const ctx: ParseContext = {
      logGroup: message.logGroup,
      logStream: message.logStream,
      owner: message.owner,
    };
    // Known from the log group, or set by a flow-log header: after one, the rest of the payload
    // is flow records in its format (an S3 file read with --lines, a forwarder that copies it).
    let payloadSource = sourceOf(message.logGroup);
    let flowFormat = flowFormatOf(message.logGroup);
    const keepOriginal = resolved.keepOriginal;

    for (const event of message.logEvents) {
      const text = event.message;
      if (text.length > resolved.maxParseBytes) {
        stats.oversized++;
        documents.push(
          normalize({
            parsed: { dataset: 'aws.cloudwatch_logs', fields: { message: text } },
            event,
            envelope: message,
            keepOriginal: false,
            tag: 'message_too_large',
            failure: `message of ${text.length} characters exceeds maxParseBytes (${resolved.maxParseBytes}); kept unparsed`,
          }),
        );
        continue;
      }
      let source = payloadSource;
      let json: unknown;
      if (source === undefined) {
        const detected = sourceForContent(text);
        source = detected.source;
        json = detected.json;
      }
      // Content detection only claims a header naming enough fields (`looksLikeVpcFlowLog`), so
      // an application line such as `start end` is a header only in a flow-log group.
      if (source === 'vpcflow' && isFlowLogHeader(text)) {
        const format = parseFlowLogFormat(text);
        if (!isParseFailure(format)) {
          flowFormat = format;
          payloadSource = 'vpcflow';
          stats.headers++;
          continue;
        }
      }
      const documentsBefore = documents.length;
      const failuresBefore = stats.parseFailures;
      try {
        emit(parseWith(source, text, ctx, json, flowFormat), event, message, keepOriginal, documents, stats);
      } catch (error) {
        // A parser bug, or input past a limit nobody foresaw, costs this event its parsing, never
        // the payload: it is kept as text with the reason, like a message its parser refused.
        documents.length = documentsBefore;
        stats.parseFailures = failuresBefore;
        const reason = error instanceof Error ? error.message : String(error);
        emitOne(
          parseFailure(`${source}: ${reason}`),
          undefined,
          event,
          message,
          keepOriginal,
          documents,
          stats,
        );
      }
    }
    stats.documents = documents.length;
    return { documents, stats };
  }

  function decodeMessage(value: unknown): PayloadResult {
    const validated = validateSubscriptionMessage(value);
    if (validated instanceof DecodeError) return { kind: 'error', error: validated };
    return fromMessage(validated);
  }

  function fromMessage(message: SubscriptionMessage): PayloadResult {
    if (message.messageType === 'CONTROL_MESSAGE') return { kind: 'control' };
    const { documents, stats } = decodeEvents(message);
    return { kind: 'data', message, documents, stats };
  }

  function decodeData(data: string | Uint8Array): PayloadResult {
    const bytes = typeof data === 'string' ? decodeBase64(data) : data;
    if (bytes instanceof DecodeError) return { kind: 'error', error: bytes };
    const inflated = decompress(bytes, resolved.maxDecompressedBytes);
    if (inflated instanceof DecodeError) return { kind: 'error', error: inflated };
    const text = decodeUtf8(inflated);
    if (text instanceof DecodeError) return { kind: 'error', error: text };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return { kind: 'error', error: new DecodeError('invalid_json', `payload is not JSON: ${detail}`) };
    }
    return decodeMessage(value);
  }

  return { options: resolved, decodeData, decodeMessage, decodeEvents };
}

function parseWith(
  source: Source,
  text: string,
  ctx: ParseContext,
  json: unknown,
  flowFormat: FlowLogFormat | undefined,
): ParseOutput {
  switch (source) {
    case 'vpcflow':
      return parseVpcFlowLog(text, ctx, flowFormat);
    case 'cloudtrail':
      return parseCloudTrail(text, ctx, json);
    case 'guardduty':
      return parseGuardDuty(text, ctx, json);
    case 'route53_resolver':
      // Resolver query logs are JSON; public hosted-zone query logs (`/aws/route53/<zone>`) are text.
      return json !== undefined || text.charCodeAt(0) === 0x7b /* { */
        ? parseRoute53ResolverQuery(text, ctx, json)
        : parseRoute53PublicQuery(text);
    case 'lambda':
      return parseLambdaLog(text, ctx, json);
    case 'container':
      return parseContainerLog(text, ctx, json);
    case 'generic':
      return parseGeneric(text, json);
  }
}

function emit(
  output: ParseOutput,
  event: SubscriptionLogEvent,
  envelope: DataMessage,
  keepOriginal: boolean,
  documents: LogDocument[],
  stats: DecodeStats,
): void {
  if (!Array.isArray(output)) {
    emitOne(output as ParseResult, undefined, event, envelope, keepOriginal, documents, stats);
    return;
  }
  if (output.length === 0) {
    stats.emptyEvents++;
    return;
  }
  // Several records in one log event: each id gets the record's position; the raw event is kept
  // once, on the first record, rather than copied into every one.
  for (let index = 0; index < output.length; index++) {
    emitOne(
      output[index] as ParseResult,
      index,
      event,
      envelope,
      keepOriginal && index === 0,
      documents,
      stats,
    );
  }
}

function emitOne(
  result: ParseResult,
  index: number | undefined,
  event: SubscriptionLogEvent,
  envelope: DataMessage,
  keepOriginal: boolean,
  documents: LogDocument[],
  stats: DecodeStats,
): void {
  if (!isParseFailure(result)) {
    documents.push(normalize({ parsed: result, event, envelope, keepOriginal, index }));
    return;
  }
  // Refused by its source parser: kept as text with the reason, never dropped.
  stats.parseFailures++;
  documents.push(
    normalize({
      parsed: parseGeneric(event.message),
      event,
      envelope,
      keepOriginal: false,
      index,
      tag: 'parse_failure',
      failure: result.failure,
    }),
  );
}
