import type { Decoder, PayloadResult } from '../decoder.ts';

/** The event a Lambda subscribed directly to a log group receives. */
export interface AwslogsEvent {
  readonly awslogs: { readonly data: string };
}

/** Decodes a Lambda `awslogs` event (base64 gzip or zlib). */
export function decodeAwslogsEvent(event: AwslogsEvent, decoder: Decoder): PayloadResult {
  return decoder.decodeData(event.awslogs.data);
}
