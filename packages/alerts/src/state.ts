import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { ALERT_TABLE } from '@central-logging/contracts';
import { shortId, type Alert } from './alert.ts';

/** A notification channel an alert is delivered to. */
export type Channel = 'sns' | 'slack';

/** An alert whose delivery is not finished, as stored. */
export interface PendingAlert {
  readonly alert: Alert;
  readonly channels: readonly Channel[];
  readonly attempts: number;
}

/**
 * All alert state in one DynamoDB table (partition key `pk`, TTL attribute `expiresAt`):
 *
 * - `W#<alert key>`: a threshold window's tally, the SET of (hashed) event ids seen in it. Adding
 *   to a set is idempotent, so a redelivered or replayed event does not count twice; the set stops
 *   growing once the window has fired (`fired`).
 * - `N#<rule|tenant|entity|value>`: a value seen for an entity, until it is forgotten (`remember`).
 * - `A#<alert key>`: an alert. Created with a conditional put, so one key is claimed once however
 *   often its events arrive. Channels still to deliver are a string set; while it is non-empty the
 *   item carries `pendingShard` and `nextAttemptAt`, the keys of the sparse GSI `pending` that
 *   every invocation sweeps for deliveries due. A delivery takes a lease first, so two invocations
 *   (two shards) never send the same alert at the same time.
 */
export interface AlertStoreOptions {
  readonly client: DynamoDBClient;
  readonly table: string;
  /** How long alert items are kept (dedup horizon for late replays). Default 30 days. */
  readonly alertRetentionMs?: number;
  /** Shards of the pending index: spreads a backlog over partitions. Default 4. */
  readonly pendingShards?: number;
}

export const PENDING_INDEX = ALERT_TABLE.pendingIndex.name;
const DAY = 86_400_000;

export class AlertStore {
  private readonly client: DynamoDBClient;
  private readonly table: string;
  private readonly retentionMs: number;
  private readonly shards: number;

  constructor(options: AlertStoreOptions) {
    this.client = options.client;
    this.table = options.table;
    this.retentionMs = options.alertRetentionMs ?? 30 * DAY;
    this.shards = options.pendingShards ?? 4;
  }

  /**
   * Adds this batch's event ids to a threshold window and returns how many distinct events the
   * window has seen, or undefined when it has already fired.
   */
  async tallyWindow(key: string, eventIds: Iterable<string>, windowEnd: number): Promise<number | undefined> {
    const ids = [...new Set([...eventIds].map(shortId))];
    if (ids.length === 0) return 0;
    try {
      const result = await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { pk: { S: `W#${key}` } },
          UpdateExpression: 'ADD ids :ids SET expiresAt = if_not_exists(expiresAt, :expires)',
          ConditionExpression: 'attribute_not_exists(fired)',
          ExpressionAttributeValues: {
            ':ids': { SS: ids },
            // Kept a day past the window: late events of a fired window must still find it fired.
            ':expires': { N: String(Math.ceil((windowEnd + DAY) / 1000)) },
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes?.ids?.SS?.length ?? 0;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /** Marks a window fired, so its set stops growing. */
  async markFired(key: string): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: { pk: { S: `W#${key}` } },
        UpdateExpression: 'SET fired = :true REMOVE ids',
        ExpressionAttributeValues: { ':true': { BOOL: true } },
      }),
    );
  }

  /**
   * `first` the first time `key` is seen within `rememberMs` (an expired item counts as unseen);
   * `again` when it was first seen in this very event (`firstEvent`, its {@link shortId}): a batch handed back to Kinesis after this
   * write (a later step failed) must still raise its alert when redelivered, or the new value is
   * lost (the alert's claim keeps it to one notification); `false` when it is known.
   */
  async firstSeen(
    key: string,
    rememberMs: number,
    now: number,
    first: string,
  ): Promise<'first' | 'again' | false> {
    const nowSeconds = Math.floor(now / 1000);
    try {
      const result = await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            pk: { S: `N#${key}` },
            firstEvent: { S: first },
            expiresAt: { N: String(Math.ceil((now + rememberMs) / 1000)) },
          },
          // TTL deletion lags by up to days: an item past its time is as good as gone.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR firstEvent = :first',
          ExpressionAttributeValues: { ':now': { N: String(nowSeconds) }, ':first': { S: first } },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const old = result.Attributes;
      const remembered = old !== undefined && Number(old.expiresAt?.N) >= nowSeconds;
      return remembered && old.firstEvent?.S === first ? 'again' : 'first';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Claims an alert key. True only for the first claim: that caller delivers it. */
  async claim(alert: Alert, channels: readonly Channel[], now: number): Promise<boolean> {
    const item: Record<string, AttributeValue> = {
      pk: { S: `A#${alert.key}` },
      alert: { S: JSON.stringify(alert) },
      createdAt: { N: String(now) },
      attempts: { N: '0' },
      expiresAt: { N: String(Math.ceil((now + this.retentionMs) / 1000)) },
    };
    if (channels.length > 0) {
      item.channels = { SS: [...channels] };
      item.pendingShard = { S: this.shardOf(alert.key) };
      item.nextAttemptAt = { N: String(now) };
    }
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Takes the delivery lease of a pending alert for `leaseMs`. Undefined when it is delivered
   * already or another invocation holds a live lease.
   */
  async lease(key: string, owner: string, now: number, leaseMs: number): Promise<PendingAlert | undefined> {
    try {
      const result = await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { pk: { S: `A#${key}` } },
          UpdateExpression: 'SET leaseUntil = :until, leaseOwner = :owner',
          ConditionExpression:
            'attribute_exists(channels) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
          ExpressionAttributeValues: {
            ':until': { N: String(now + leaseMs) },
            ':owner': { S: owner },
            ':now': { N: String(now) },
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const a = result.Attributes;
      if (!a?.alert?.S || !a.channels?.SS) return undefined;
      return {
        alert: JSON.parse(a.alert.S) as Alert,
        channels: a.channels.SS as Channel[],
        attempts: Number(a.attempts?.N ?? 0),
      };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /** Records a delivered channel; the last one takes the alert out of the pending index. */
  async delivered(key: string, channel: Channel, owner: string): Promise<void> {
    const result = await this.client.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: { pk: { S: `A#${key}` } },
        UpdateExpression: 'DELETE channels :channel ADD sent :channel',
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: { ':channel': { SS: [channel] }, ':owner': { S: owner } },
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (!result.Attributes?.channels) {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { pk: { S: `A#${key}` } },
          UpdateExpression: 'REMOVE pendingShard, nextAttemptAt, leaseUntil, leaseOwner',
          ConditionExpression: 'attribute_not_exists(channels)',
        }),
      );
    }
  }

  /** A delivery failed: try again at `nextAttemptAt`, lease released. */
  async retryLater(
    key: string,
    owner: string,
    attempts: number,
    nextAttemptAt: number,
    error: string,
  ): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: { pk: { S: `A#${key}` } },
        UpdateExpression:
          'SET attempts = :attempts, nextAttemptAt = :next, lastError = :error REMOVE leaseUntil, leaseOwner',
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: {
          ':attempts': { N: String(attempts) },
          ':next': { N: String(nextAttemptAt) },
          ':error': { S: error.slice(0, 1000) },
          ':owner': { S: owner },
        },
      }),
    );
  }

  /** Keys of pending alerts due by `now`, oldest first, at most `limit`. */
  async due(now: number, limit: number): Promise<string[]> {
    const keys: string[] = [];
    for (let shard = 0; shard < this.shards && keys.length < limit; shard++) {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: PENDING_INDEX,
          KeyConditionExpression: 'pendingShard = :shard AND nextAttemptAt <= :now',
          ExpressionAttributeValues: { ':shard': { S: `p${shard}` }, ':now': { N: String(now) } },
          Limit: limit - keys.length,
        }),
      );
      for (const item of result.Items ?? []) {
        const pk = item.pk?.S;
        if (pk?.startsWith('A#')) keys.push(pk.slice(2));
      }
    }
    return keys;
  }

  private shardOf(key: string): string {
    return `p${createHash('sha1').update(key).digest().readUInt8(0) % this.shards}`;
  }
}

/** Creates the table as central-infra declares it (tests, the local pipeline), from {@link ALERT_TABLE}. */
export async function createAlertTable(client: DynamoDBClient, table: string): Promise<void> {
  const { pendingIndex } = ALERT_TABLE;
  await client.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ALERT_TABLE.attributes.map((a) => ({
        AttributeName: a.name,
        AttributeType: a.type,
      })),
      KeySchema: [{ AttributeName: ALERT_TABLE.hashKey, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: pendingIndex.name,
          KeySchema: [
            { AttributeName: pendingIndex.hashKey, KeyType: 'HASH' },
            { AttributeName: pendingIndex.rangeKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: pendingIndex.projection },
        },
      ],
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: table,
      TimeToLiveSpecification: { AttributeName: ALERT_TABLE.ttlAttribute, Enabled: true },
    }),
  );
}
