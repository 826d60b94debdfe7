// `pnpm --silent decode`: decode a payload pasted from the console (or a file of log lines) into
// NDJSON documents on stdout. Errors go to stderr; exit 1 when nothing could be decoded.
import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { LogDocument } from '@central-logging/log-schema';
import { createDecoder, type Decoder } from '../decoder.ts';
import type { DataMessage } from '../envelope/cloudwatch-subscription.ts';
import { decodeInput } from '../envelope/any-input.ts';
import { DecoderConfigError, type DecoderOptions } from '../options.ts';

const USAGE = `usage:
  pnpm --silent decode [--format '<flow log format>'] < payload
      payload: base64 text, gzip/zlib bytes, a subscription message, a Kinesis, Firehose or
      awslogs Lambda event, or archived NDJSON documents
  pnpm --silent decode --lines --log-group NAME [--account ID] [--region R] [--format F] < file
      each line is one log event of log group NAME (a flow-log header line sets the format)
  --format: the input is flow logs in this format, whatever its log groups are called`;

function main(): number {
  let args;
  try {
    args = parseArgs({
      options: {
        lines: { type: 'boolean', default: false },
        'log-group': { type: 'string' },
        'log-stream': { type: 'string' },
        account: { type: 'string' },
        region: { type: 'string' },
        format: { type: 'string' },
        'no-original': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: false,
    }).values;
  } catch (error) {
    process.stderr.write(`decode: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const logGroup = args['log-group'];
  if (args.lines && logGroup === undefined) {
    process.stderr.write(`decode: --lines needs --log-group NAME\n${USAGE}\n`);
    return 2;
  }

  const options: DecoderOptions = {
    keepOriginal: !args['no-original'],
    // A format means the input is flow logs in it, whatever its log groups are called.
    ...(args.format === undefined ? {} : { flowLogFormats: [{ logGroup: /[\s\S]*/, format: args.format }] }),
  };
  let decoder: Decoder;
  try {
    decoder = createDecoder(options);
  } catch (error) {
    if (error instanceof DecoderConfigError) {
      process.stderr.write(`decode: ${error.message}\n`);
      return 2;
    }
    throw error;
  }

  const input = readStdin();
  let documents = 0;
  let errors = 0;
  const write = (document: LogDocument): void => {
    documents++;
    process.stdout.write(JSON.stringify(document) + '\n');
  };

  if (args.lines && logGroup !== undefined) {
    const message = linesToMessage(input.toString('utf8'), {
      logGroup,
      logStream: args['log-stream'] ?? 'stdin',
      account: args.account,
      region: args.region,
    });
    if (message === undefined) {
      process.stderr.write('decode: no lines on stdin\n');
      return 1;
    }
    const result = decoder.decodeEvents(message);
    result.documents.forEach(write);
    reportStats(result.stats.parseFailures, 'line(s) kept unparsed (tagged parse_failure)');
  } else {
    for (const item of decodeInput(input, decoder)) {
      if (item.kind === 'error') {
        errors++;
        process.stderr.write(`decode: ${item.label}: ${item.error.reason}: ${item.error.message}\n`);
      } else if (item.kind === 'document') {
        write(item.document);
      } else if (item.result.kind === 'error') {
        errors++;
        process.stderr.write(
          `decode: ${item.label}: ${item.result.error.reason}: ${item.result.error.message}\n`,
        );
      } else if (item.result.kind === 'control') {
        process.stderr.write(`decode: ${item.label}: CONTROL_MESSAGE (dropped, never indexed)\n`);
      } else {
        item.result.documents.forEach(write);
        reportStats(
          item.result.stats.parseFailures,
          `event(s) in ${item.label} kept unparsed (tagged parse_failure)`,
        );
      }
    }
  }
  if (documents === 0 && errors > 0) return 1;
  if (documents === 0 && input.length === 0) {
    process.stderr.write('decode: no input on stdin\n');
    return 1;
  }
  return 0;
}

function reportStats(parseFailures: number, what: string): void {
  if (parseFailures > 0) process.stderr.write(`decode: ${parseFailures} ${what}\n`);
}

/** Wraps text lines as the log events of one synthetic DATA_MESSAGE. */
function linesToMessage(
  text: string,
  target: { logGroup: string; logStream: string; account: string | undefined; region: string | undefined },
): DataMessage | undefined {
  const now = Date.now();
  const logEvents = text
    .split(/\r?\n/)
    .map((line, index) => ({ line, index }))
    .filter(({ line }) => line.trim().length > 0)
    .map(({ line, index }) => ({
      // No CloudWatch id exists for a line from a file: derive a stable one, so decoding the same
      // file twice yields the same ids (and indexing it twice, no duplicates).
      id: createHash('sha256')
        .update(`${target.logGroup}\0${target.logStream}\0${index}\0${line}`)
        .digest('hex')
        .slice(0, 40),
      timestamp: now,
      message: line,
      ...(target.region === undefined && target.account === undefined
        ? {}
        : {
            extractedFields: {
              ...(target.account === undefined ? {} : { '@aws.account': target.account }),
              ...(target.region === undefined ? {} : { '@aws.region': target.region }),
            },
          }),
    }));
  if (logEvents.length === 0) return undefined;
  return {
    messageType: 'DATA_MESSAGE',
    owner: target.account ?? 'unknown',
    logGroup: target.logGroup,
    logStream: target.logStream,
    subscriptionFilters: [],
    logEvents,
  };
}

function readStdin(): Buffer {
  const chunks: Buffer[] = [];
  const fd = 0;
  const chunk = Buffer.alloc(1 << 16);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, chunk);
    } catch (error) {
      if ((error as { code?: string }).code === 'EAGAIN') continue;
      if ((error as { code?: string }).code === 'EOF') break;
      throw error;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

process.exitCode = main();
