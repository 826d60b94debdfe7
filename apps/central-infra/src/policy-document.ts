/**
 * IAM policy documents as plain data, built by the pure functions in `components/*.policies.ts`
 * and serialized once where a resource takes them. Values are resolved strings: components call
 * the builders inside `pulumi.all(...).apply(...)`, so tests can evaluate exactly what AWS gets.
 */
export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly Statement[];
}

export type Principal =
  '*' | { readonly AWS: string | readonly string[] } | { readonly Service: string | readonly string[] };

export type Conditions = Readonly<
  Record<string, Readonly<Record<string, string | boolean | readonly string[]>>>
>;

export interface Statement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: Principal;
  readonly Action: string | readonly string[];
  /** Absent only in role trust policies, where AWS refuses it. */
  readonly Resource?: string | readonly string[];
  readonly Condition?: Conditions;
}

export function policy(...statements: readonly Statement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/** JSON as resources take it. */
export function policyJson(document: PolicyDocument): string {
  return JSON.stringify(document);
}

/**
 * A service may assume a role only on behalf of this account (confused-deputy guard). Lambda
 * passes `aws:SourceAccount`; Firehose passes the account id as `sts:ExternalId`, as its
 * documentation's trust policy shows.
 */
export function serviceTrust(service: string, accountId: string): PolicyDocument {
  const key = service === 'firehose.amazonaws.com' ? 'sts:ExternalId' : 'aws:SourceAccount';
  return policy({
    Sid: 'TrustedService',
    Effect: 'Allow',
    Principal: { Service: service },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { [key]: accountId } },
  });
}

/** Refuses every request to a bucket over plain HTTP (S3's `aws:SecureTransport`). */
export function denyInsecureTransport(bucketArn: string): Statement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/**
 * A role's use of the pipeline key through one service (the key policy delegates to IAM, and
 * allows use only through the pipeline's services): `actions` on the key, only via `service` in
 * `region`, and, for S3, only for objects of one bucket (`kms:EncryptionContext:aws:s3:arn`).
 */
export function keyUse(
  sid: string,
  keyArn: string,
  via: { readonly service: string; readonly region: string; readonly bucketArn?: string },
  actions: readonly string[],
): Statement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Action: actions.length === 1 ? (actions[0] as string) : actions,
    Resource: keyArn,
    Condition: {
      StringEquals: { 'kms:ViaService': `${via.service}.${via.region}.amazonaws.com` },
      ...(via.bucketArn === undefined
        ? {}
        : { StringLike: { 'kms:EncryptionContext:aws:s3:arn': `${via.bucketArn}*` } }),
    },
  };
}
