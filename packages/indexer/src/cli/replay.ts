// `pnpm replay --bucket B …`: re-index archived logs into OpenSearch. The work is `replay()` in
// src/replay/; this file only turns the command line and the environment into its options and
// clients, draws progress on stderr, prints the summary on stdout and picks the exit status.
import { S3Client } from '@aws-sdk/client-s3';
import type { Client } from '@opensearch-project/opensearch';
import {
  createDecoder,
  DecoderConfigError,
  decoderOptionsFromEnv,
  type Decoder,
} from '@central-logging/decoder';
import { createOpenSearchClient } from '../client.ts';
import { IndexerConfigError, openSearchConfigFromEnv } from '../config.ts';
import { fileDeadLetterSink, s3DeadLetterSink } from '../dead-letter.ts';
import { parseReplayArgs, UsageError, USAGE, type ReplayCommand } from '../replay/args.ts';
import { CheckpointError } from '../replay/checkpoint.ts';
import { createProgressReporter, silentProgress } from '../replay/progress.ts';
import { replay } from '../replay/replay.ts';
import { formatSummary, replayFailed, type ReplaySummary } from '../replay/summary.ts';

async function main(): Promise<number> {
  const env = process.env;
  // pnpm runs scripts from the package root; paths the user typed are relative to where they typed them.
  const cwd = env['INIT_CWD'] ?? process.cwd();
  let command: ReplayCommand;
  try {
    command = parseReplayArgs(process.argv.slice(2), env, cwd);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`replay: ${error.message}\n(pnpm replay --help shows the options)\n`);
    return 2;
  }
  if (command.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { options } = command;

  let decoder: Decoder;
  let opensearch: Client | undefined;
  try {
    // The pipeline's own decoder settings (DECODER_*), so payloads decode as they did the first time.
    decoder = createDecoder(decoderOptionsFromEnv(env));
    if (!options.dryRun && command.opensearchUrl !== undefined) {
      const config = openSearchConfigFromEnv({
        ...env,
        OPENSEARCH_URL: command.opensearchUrl,
        AWS_REGION: env['AWS_REGION'] ?? command.s3.region,
      });
      opensearch = createOpenSearchClient(config);
    }
  } catch (error) {
    if (!(error instanceof IndexerConfigError || error instanceof DecoderConfigError)) throw error;
    process.stderr.write(`replay: ${error.message}\n`);
    return 2;
  }

  const { endpoint } = command.s3;
  const region =
    command.s3.region ??
    env['AWS_REGION'] ??
    env['AWS_DEFAULT_REGION'] ??
    (endpoint ? 'us-east-1' : undefined);
  // The default credential chain (env, profile, SSO, instance role); region from the profile if unset.
  const s3 = new S3Client({
    ...(region === undefined ? {} : { region }),
    ...(endpoint === undefined ? {} : { endpoint, forcePathStyle: true }),
    followRegionRedirects: true,
    maxAttempts: 5,
  });
  const { deadLetters: target } = command;
  const deadLetters =
    target.kind === 'dir'
      ? fileDeadLetterSink(target.dir)
      : s3DeadLetterSink(s3, target.bucket, target.prefix);

  // First Ctrl-C: finish the objects in flight, save the checkpoint, print the summary. Second: quit now.
  const abort = new AbortController();
  const onSignal = (): void => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write('\nreplay: stopping after the objects in flight (again to quit at once)\n');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let summary: ReplaySummary;
  try {
    summary = await replay(options, {
      s3,
      opensearch,
      decoder,
      deadLetters,
      progress: command.quiet ? silentProgress : createProgressReporter(process.stderr),
      signal: abort.signal,
    });
  } catch (error) {
    process.stderr.write(`replay: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof CheckpointError ? 2 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    s3.destroy();
    await opensearch?.close();
  }

  const where = `s3://${options.bucket}/${options.prefix ?? ''}`;
  process.stdout.write(
    command.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatSummary(summary, where)}\n`,
  );
  if (replayFailed(summary)) return 1;
  return summary.status === 'interrupted' ? 130 : 0;
}

process.exitCode = await main();
