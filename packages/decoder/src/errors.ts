/** Why a payload could not be decoded. Stable strings: they are metric dimensions and log fields. */
export type DecodeErrorReason =
  | 'invalid_base64'
  | 'not_compressed'
  | 'truncated'
  | 'corrupt_compressed_data'
  | 'too_large'
  | 'invalid_utf8'
  | 'invalid_json'
  | 'invalid_schema'
  | 'unknown_message_type'
  | 'empty_log_events'
  | 'invalid_wrapper';

/**
 * A payload that can never be decoded, however often it is retried: it is kept with this reason
 * (Firehose error prefix, dead-letter object), never retried.
 */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';

  constructor(
    readonly reason: DecodeErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/** True for a {@link DecodeError}; results carry errors as values, so callers branch with this. */
export function isDecodeError(value: unknown): value is DecodeError {
  return value instanceof DecodeError;
}
