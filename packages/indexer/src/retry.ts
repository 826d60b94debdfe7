/**
 * What to do with a document (or a whole bulk request) that did not index. Decided here and
 * nowhere else, so the Lambda, replay and the tests agree on every status.
 *
 * - `done`: it is in the index. 201 created, or 409 because an earlier delivery already wrote this
 *   `_id` (`op_type: create` makes redelivery and replay a no-op).
 * - `retry`: the cluster is busy or briefly away (429, 5xx, resets, timeouts). Retried with backoff
 *   inside the invocation's time budget; what is still failing goes back to Kinesis.
 * - `hold`: nothing is wrong with the document, but retrying in a few hundred milliseconds will not
 *   help either (credentials refused, index blocked read-only because the disk is full, index
 *   missing with auto-create off, no new daily index allowed by the cluster's shard limit). The
 *   record goes back to Kinesis at once, which keeps retrying it until an operator fixes the
 *   cluster; the stream's retention is the buffer.
 * - `dead_letter`: the document itself can never index (mapping conflict, malformed JSON, too large
 *   for any request). Retrying would block its shard forever, so it is written to the dead-letter
 *   bucket with the error and its source coordinates, and the batch moves on.
 */
export type Retryability = 'done' | 'retry' | 'hold' | 'dead_letter';

/** A failure as OpenSearch or the network reported it. Any field may be missing. */
export interface Failure {
  /** HTTP status of the item (bulk item `status`) or of the whole request. */
  readonly status?: number | undefined;
  /** OpenSearch error type, e.g. `mapper_parsing_exception`, `es_rejected_execution_exception`. */
  readonly type?: string | undefined;
  /** OpenSearch's explanation, for types that cover both kinds (`validation_exception`). */
  readonly reason?: string | undefined;
  /** Node.js error code or client error name, e.g. `ECONNRESET`, `TimeoutError`. */
  readonly code?: string | undefined;
}

/**
 * Errors that are the cluster's state, not the document's, and outlast a backoff: read-only
 * blocks (disk flood-stage watermark, reported with 429 or 403), closed or missing indices,
 * refused permissions. Shard-level unavailability is not here: it passes within seconds (retry).
 */
const CLUSTER_STATE_TYPES = new Set([
  'cluster_block_exception',
  'index_closed_exception',
  'index_not_found_exception', // auto-create disabled and no template created it
  'security_exception', // fine-grained access control refused the role
]);

/** Network-level failures: the request may or may not have reached the node. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'ConnectionError',
  'TimeoutError',
  'NoLivingConnectionsError',
  'RequestAbortedError',
  // A body that is not JSON: a proxy's error page labelled application/json (a load balancer's
  // 502), or an answer cut off on the way. Nothing is known of the items, as after a reset.
  'DeserializationError',
]);

/**
 * A `validation_exception` about shards: creating the day's index would pass the cluster's
 * `cluster.max_shards_per_node` ("this action would add [2] total shards, but this cluster
 * currently has [1000]/[1000] maximum shards open"). It lasts until an operator deletes indices or
 * raises the limit. Other validation failures are the request's.
 */
const SHARD_LIMIT = /\bshards\b/i;

/** The one decision: what becomes of a document or request that failed this way. */
export function retryability(failure: Failure): Retryability {
  const { status, type, reason, code } = failure;
  if (status !== undefined && status >= 200 && status < 300) return 'done';
  // A create that conflicts is a document some earlier delivery already indexed.
  if (status === 409 || type === 'version_conflict_engine_exception') return 'done';
  if (type !== undefined && CLUSTER_STATE_TYPES.has(type)) return 'hold';
  if (type === 'validation_exception' && reason !== undefined && SHARD_LIMIT.test(reason)) return 'hold';
  if (status === undefined) return code !== undefined && TRANSIENT_CODES.has(code) ? 'retry' : 'hold';
  if (status === 429 || status === 408 || status >= 500) return 'retry';
  if (status === 401 || status === 403 || status === 404) return 'hold';
  // 400 mapper_parsing_exception, illegal_argument_exception, 413 for one document, …
  return 'dead_letter';
}

// The backoff curve is shared with the alerts' notification retries.
export { backoffDelay } from '@central-logging/decoder';
