/** Kinesis Data Streams write limits per shard (https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html). */
export const SHARD_WRITE_MIB_PER_SECOND = 1;
export const SHARD_WRITE_RECORDS_PER_SECOND = 1000;
/** A shard's read limit, shared by every consumer that does not use enhanced fan-out. */
export const SHARD_READ_MIB_PER_SECOND = 2;
/** Firehose, the indexer and the alerts function each read every record (no enhanced fan-out). */
export const STREAM_CONSUMERS = 3;

export interface PeakIngest {
  /** Peak write volume into the stream, in MiB/s. */
  readonly mibPerSecond: number;
  /** Peak PutRecord(s) records per second (CloudWatch Logs sends one record per delivery batch). */
  readonly recordsPerSecond: number;
  /** Multiplier over the peak for bursts and uneven partition keys (≥ 1). */
  readonly headroom: number;
  /** Consumers reading every record through the shards' shared read throughput (≥ 1). */
  readonly consumers: number;
}

/**
 * Shards a provisioned stream needs for a peak: whichever of bytes written, records written and
 * bytes read by all the consumers binds, times the headroom, rounded up; never fewer than one.
 */
export function shardsForPeak(peak: PeakIngest): number {
  if (
    !(peak.mibPerSecond >= 0) ||
    !(peak.recordsPerSecond >= 0) ||
    !(peak.headroom >= 1) ||
    !(peak.consumers >= 1)
  ) {
    throw new RangeError(`invalid peak ingest ${JSON.stringify(peak)}`);
  }
  const byBytes = peak.mibPerSecond / SHARD_WRITE_MIB_PER_SECOND;
  const byRecords = peak.recordsPerSecond / SHARD_WRITE_RECORDS_PER_SECOND;
  const byReads = (peak.mibPerSecond * peak.consumers) / SHARD_READ_MIB_PER_SECOND;
  // Rounded to 1e-9 first so that 3 × 1.1 (= 3.3000000000000003) does not become 4 shards.
  const needed = Math.round(Math.max(byBytes, byRecords, byReads) * peak.headroom * 1e9) / 1e9;
  return Math.max(1, Math.ceil(needed));
}
