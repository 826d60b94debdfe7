import type { Decoder, PayloadResult } from '../decoder.ts';

/** The Kinesis Data Streams event Lambda receives from an event source mapping (fields we use). */
export interface KinesisStreamEvent {
  readonly Records: ReadonlyArray<{
    readonly eventID?: string;
    readonly eventSourceARN?: string;
    readonly awsRegion?: string;
    readonly kinesis: {
      readonly data: string;
      readonly sequenceNumber: string;
      readonly partitionKey?: string;
      readonly approximateArrivalTimestamp?: number;
    };
  }>;
}

/** Where a record sits in the stream: what a partial-batch response and a dead letter name. */
export interface RecordCoordinates {
  readonly sequenceNumber: string;
  readonly eventSourceArn?: string | undefined;
  /** The shard id, from the event id `shardId-000000000000:<sequence>`. */
  readonly shardId?: string | undefined;
}

/** One Kinesis record's decoding, with its coordinates. */
export interface KinesisRecordResult {
  readonly coordinates: RecordCoordinates;
  readonly result: PayloadResult;
}

/** Decodes every record of a Kinesis event; one result per record, in order. */
export function decodeKinesisEvent(event: KinesisStreamEvent, decoder: Decoder): KinesisRecordResult[] {
  return event.Records.map((record) => ({
    coordinates: {
      sequenceNumber: record.kinesis.sequenceNumber,
      eventSourceArn: record.eventSourceARN,
      shardId: record.eventID?.split(':')[0],
    },
    result: decoder.decodeData(record.kinesis.data),
  }));
}
