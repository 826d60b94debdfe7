/**
 * The DynamoDB table the alerts Lambda keeps its state in. central-infra declares it,
 * packages/alerts reads and writes it (`src/state.ts`) and creates it for its tests and the local
 * pipeline: one definition, so the deployed table cannot drift from the one the code was tested on.
 *
 * Items are keyed by `pk` (alerts, windows, new values); an alert whose notification is not yet
 * delivered also carries `pendingShard` and `nextAttemptAt`, the keys of the sparse `pending`
 * index the Lambda polls. Every item expires at `expiresAt` (epoch seconds, DynamoDB TTL).
 */
export const ALERT_TABLE = {
  hashKey: 'pk',
  attributes: [
    { name: 'pk', type: 'S' },
    { name: 'pendingShard', type: 'S' },
    { name: 'nextAttemptAt', type: 'N' },
  ],
  pendingIndex: {
    name: 'pending',
    hashKey: 'pendingShard',
    rangeKey: 'nextAttemptAt',
    projection: 'KEYS_ONLY',
  },
  ttlAttribute: 'expiresAt',
} as const;
