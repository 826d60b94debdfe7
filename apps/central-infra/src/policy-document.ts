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

/** kms:ViaService value for a service in a region. */
export function viaService(service: string, region: string): string {
  return `${service}.${region}.amazonaws.com`;
}
