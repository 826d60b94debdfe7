// "Can principal P do action A on resource R with context C?" for the policies this program
// generates, answered by a real IAM evaluator (@cloud-copilot/iam-simulate) instead of by reading
// JSON. This module only describes the caller and the request the way AWS would see them; the
// simulator does the evaluation. Modelling decisions, each following AWS's documented logic:
//
// - Same account: an identity-policy OR a resource-policy allow suffices, except for KMS keys and
//   role trust policies, where the key/trust policy must allow, either the principal directly or
//   the account (then the identity policy must allow too). The simulator implements both rules
//   (its KMS and STS authorizers, "Custom trust behavior for IAM Trust Policies and KMS Key
//   Policies" in its README).
// - Cross account: the resource policy AND the caller's identity policies must allow
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
// - An account root caller (arn:aws:iam::<id>:root) stands for "the account": the root user has
//   every permission in its own account and no identity policies, so it gets an implicit
//   Allow * on * and only the resource policy decides cross-account.
// - CloudWatch Logs destinations are ordinary resource policies: a sender's role needs an identity
//   policy allowing logs:PutSubscriptionFilter on the destination as well
//   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscription-Filter-CrossAccount-Permissions.html);
//   the sender account's root needs only the destination policy.
// - Service principals (cloudtrail.amazonaws.com, logs.<region>.amazonaws.com, ...) and anonymous
//   callers are judged by the resource policy alone; S3 Block Public Access (RestrictPublicBuckets)
//   applies to anonymous and cross-account callers when asked for.
// - No SCPs or RCPs are modelled (the simulator treats "none given" as "allow all").
//
// What the simulator cannot model is refused with an IamHarnessError, never guessed: a request
// context key it does not accept for the action (notably `kms:EncryptionContext:<key>`, whose
// `:`-separated variable part iam-simulate 0.1.173 does not recognise, so it would silently drop
// it), a wildcard request resource, an action it does not know. KMS grants are not policies and
// are out of its scope. The simulator does not check that the actions a policy names exist (a
// typo'd `kms:Decrypt*` simply matches nothing), so pair every "refused" assertion on a policy
// with an "allowed" one.
import { anonymousPrincipal, runSimulation } from '@cloud-copilot/iam-simulate';
import type {
  RequestAnalysis,
  Simulation,
  SimulationErrors,
  SimulationIdentityPolicy,
  StatementExplain,
} from '@cloud-copilot/iam-simulate';

/** `deny` is an explicit Deny statement; `implicit-deny` means nothing allowed the request. */
export type Decision = 'allow' | 'deny' | 'implicit-deny';

export type ConditionValue = string | number | boolean;

/** The Principal / NotPrincipal element of a resource policy statement. */
export type PolicyPrincipal =
  | '*'
  | {
      readonly AWS?: string | readonly string[];
      readonly Service?: string | readonly string[];
      readonly Federated?: string | readonly string[];
      readonly CanonicalUser?: string | readonly string[];
    };

/**
 * One statement of an IAM policy, as AWS's JSON grammar spells it. Broader than the program's own
 * `src/policy-document.ts` (which this accepts) so that any policy a mock captures can be evaluated.
 */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: PolicyPrincipal;
  readonly NotPrincipal?: PolicyPrincipal;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<
    Record<string, Readonly<Record<string, ConditionValue | readonly ConditionValue[]>>>
  >;
}

/** An IAM policy document (identity, trust, key, bucket, destination or domain access policy). */
export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Id?: string;
  readonly Statement: PolicyStatement | readonly PolicyStatement[];
}

/** Who makes the request. */
export interface Caller {
  /**
   * An IAM role or user ARN (`arn:aws:iam::111111111111:role/indexer`; a role ARN stands for a
   * session of that role), an account root (`arn:aws:iam::222222222222:root`), a service principal
   * (`logs.amazonaws.com`), or `'anonymous'`.
   */
  principal: string;
  /** The inline/attached policies of the role or user; not allowed for root, services, anonymous. */
  identityPolicies?: readonly PolicyDocument[];
  /** The caller's `aws:PrincipalOrgID`; absent means the caller's account is in no organization. */
  orgId?: string;
}

/** What is asked for. */
export interface AccessRequest {
  /** `service:Action`, e.g. `s3:PutObject`. */
  action: string;
  /** A concrete ARN (the object, key, role, stream, destination, domain path), or `*` for actions without resource types. */
  resource: string;
  /** The account owning the resource (S3 ARNs do not carry one). */
  resourceAccount: string;
  /**
   * Request context keys (`aws:SourceArn`, `s3:x-amz-acl`, ...). These may override the request
   * defaults (`aws:SecureTransport` is 'true' unless given) but not the keys derived from the caller.
   */
  context?: Readonly<Record<string, string | readonly string[]>>;
}

export interface EvaluateOptions {
  /** Apply S3 Block Public Access (RestrictPublicBuckets) to the bucket being asked. */
  s3BlockPublicAccess?: boolean;
}

export interface Evaluation {
  decision: Decision;
  /** A few lines naming the caller, the request and the statements that decided; for `expect` messages. */
  explain: string;
  /** The simulator's full analysis, for digging further. */
  analysis: RequestAnalysis;
}

/** A policy, caller or request the harness cannot evaluate faithfully. */
export class IamHarnessError extends Error {
  override name = 'IamHarnessError';
}

/** Parses and checks a policy as Pulumi mocks hand it over (a JSON string or an object). */
export function policyOf(x: unknown): PolicyDocument {
  let doc: unknown = x;
  if (typeof x === 'string') {
    try {
      doc = JSON.parse(x);
    } catch (error) {
      throw new IamHarnessError(`policy is not valid JSON (${(error as Error).message}): ${snippet(x)}`);
    }
  }
  const problems = shapeProblems(doc);
  if (problems.length > 0) {
    throw new IamHarnessError(
      `not an IAM policy document:\n${problems.map((p) => `  - ${p}`).join('\n')}\n${snippet(doc)}`,
    );
  }
  return doc as PolicyDocument;
}

/**
 * Evaluates `request` by `caller` against the caller's identity policies and the resource's
 * policy (bucket, key, trust, destination or domain access policy), as AWS would decide it.
 */
export async function evaluate(
  caller: Caller,
  request: AccessRequest,
  resourcePolicy?: PolicyDocument,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  const who = classify(caller);
  if (resourcePolicy) requirePrincipals(resourcePolicy);
  const context = requestContext(who, caller, request);
  const simulation: Simulation = {
    request: {
      principal: who.kind === 'anonymous' ? anonymousPrincipal : caller.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount },
      contextVariables: context,
    },
    identityPolicies: identityPolicies(who, caller),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy ? { resourcePolicy } : {}),
    ...(options.s3BlockPublicAccess ? { additionalSettings: { s3: { blockPublicAccess: true } } } : {}),
  };

  const response = await runSimulation(simulation, { simulationMode: 'Strict' });
  const asked = `${request.action} on ${request.resource}`;
  if (response.resultType === 'error') {
    throw new IamHarnessError(`iam-simulate cannot evaluate ${asked}: ${describeErrors(response.errors)}`);
  }
  if (response.resultType === 'wildcard') {
    throw new IamHarnessError(`${asked}: the request resource must be a concrete ARN, not a pattern`);
  }
  // The simulator drops context keys it does not accept for the action; a condition on a dropped
  // key then never matches, which would pass every "is denied" assertion for the wrong reason.
  const ignored = response.result.ignoredContextKeys ?? [];
  if (ignored.length > 0) {
    throw new IamHarnessError(
      `iam-simulate ignores context key(s) ${ignored.join(', ')} for ${request.action}; ` +
        'a condition on them cannot be evaluated (see the limitations at the top of tests/support/iam.ts)',
    );
  }

  const analysis = response.result.analysis;
  const decision = DECISIONS[response.overallResult];
  const scope =
    who.kind !== 'iam' ? `${who.kind} caller` : analysis.sameAccount ? 'same account' : 'cross account';
  return {
    decision,
    analysis,
    explain: explain(`${decision}: ${caller.principal} → ${asked} (${scope})`, context, analysis),
  };
}

const DECISIONS = {
  Allowed: 'allow',
  ExplicitlyDenied: 'deny',
  ImplicitlyDenied: 'implicit-deny',
} as const satisfies Record<string, Decision>;

type Who =
  | { kind: 'iam'; account: string; principalType: 'AssumedRole' | 'User' | 'Account' }
  | { kind: 'service' }
  | { kind: 'anonymous' };

const IAM_PRINCIPAL = /^arn:aws[a-z-]*:iam::(\d{12}):(root|role\/.+|user\/.+)$/;
const SERVICE_PRINCIPAL = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com$/;

function classify(caller: Caller): Who {
  const { principal } = caller;
  const iam = IAM_PRINCIPAL.exec(principal);
  if (iam) {
    const [, account = '', name = ''] = iam;
    if (name === 'root' && caller.identityPolicies) {
      throw new IamHarnessError(`${principal}: the root user has no identity policies (it may do anything)`);
    }
    const principalType = name === 'root' ? 'Account' : name.startsWith('role/') ? 'AssumedRole' : 'User';
    return { kind: 'iam', account, principalType };
  }
  const who: Who | undefined =
    principal === 'anonymous'
      ? { kind: 'anonymous' }
      : SERVICE_PRINCIPAL.test(principal)
        ? { kind: 'service' }
        : undefined;
  if (!who) {
    throw new IamHarnessError(
      `unsupported principal ${JSON.stringify(principal)}: use an IAM role/user ARN, ` +
        "arn:aws:iam::<account>:root, a service principal (*.amazonaws.com) or 'anonymous'",
    );
  }
  if (caller.identityPolicies || caller.orgId) {
    throw new IamHarnessError(`${principal}: identity policies and orgId apply only to IAM principals`);
  }
  return who;
}

// The keys AWS puts in the request context for each kind of caller
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
function callerContext(who: Who, caller: Caller): Record<string, string> {
  switch (who.kind) {
    case 'iam':
      return {
        // For a role session aws:PrincipalArn is the role's ARN, not the session's.
        'aws:PrincipalArn': caller.principal,
        'aws:PrincipalAccount': who.account,
        'aws:PrincipalType': who.principalType,
        'aws:PrincipalIsAWSService': 'false',
        ...(caller.orgId ? { 'aws:PrincipalOrgID': caller.orgId } : {}),
      };
    case 'service':
      return { 'aws:PrincipalServiceName': caller.principal, 'aws:PrincipalIsAWSService': 'true' };
    case 'anonymous':
      // Unsigned requests carry no principal keys at all.
      return {};
  }
}

function requestContext(who: Who, caller: Caller, request: AccessRequest): Record<string, string | string[]> {
  const fromCaller = callerContext(who, caller);
  const derived = new Set(Object.keys(fromCaller).map((k) => k.toLowerCase()));
  derived.add('aws:principalorgid'); // absent means "in no organization", so it is the caller's too
  const merged = new Map<string, [string, string | string[]]>();
  const put = (key: string, value: string | string[]) => merged.set(key.toLowerCase(), [key, value]);

  put('aws:SecureTransport', 'true');
  put('aws:ResourceAccount', request.resourceAccount);
  for (const [key, value] of Object.entries(request.context ?? {})) {
    if (derived.has(key.toLowerCase())) {
      throw new IamHarnessError(`context key ${key} comes from the caller; set it on the Caller instead`);
    }
    put(key, typeof value === 'string' ? value : [...value]);
  }
  for (const [key, value] of Object.entries(fromCaller)) put(key, value);
  return Object.fromEntries(merged.values());
}

const ROOT_USER: SimulationIdentityPolicy = {
  name: 'root user (implicitly allowed everything in its account)',
  policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};

function identityPolicies(who: Who, caller: Caller): SimulationIdentityPolicy[] {
  if (who.kind === 'iam' && who.principalType === 'Account') return [ROOT_USER];
  return (caller.identityPolicies ?? []).map((policy, i) => ({ name: `identity[${i}]`, policy }));
}

// AWS rejects a resource-based policy statement without a principal; the simulator accepts it and
// matches nothing, which would make a broken generated policy look merely strict.
function requirePrincipals(policy: PolicyDocument): void {
  const statements = [policy.Statement].flat();
  const missing = statements.flatMap((s, i) =>
    s.Principal === undefined && s.NotPrincipal === undefined ? [s.Sid ?? `Statement[${i}]`] : [],
  );
  if (missing.length > 0) {
    throw new IamHarnessError(`resource policy statement(s) without Principal: ${missing.join(', ')}`);
  }
}

function shapeProblems(doc: unknown): string[] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return ['must be a JSON object'];
  const { Version, Statement } = doc as Record<string, unknown>;
  const problems: string[] = [];
  // Policy variables such as ${aws:PrincipalAccount} are only substituted in version 2012-10-17.
  if (Version !== '2012-10-17') problems.push(`Version must be "2012-10-17", got ${JSON.stringify(Version)}`);
  const statements = Array.isArray(Statement) ? Statement : Statement === undefined ? [] : [Statement];
  if (statements.length === 0) problems.push('Statement must be a statement or a non-empty array of them');
  statements.forEach((s: unknown, i) => {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) {
      problems.push(`Statement[${i}] must be an object`);
      return;
    }
    const { Effect, Action, NotAction } = s as Record<string, unknown>;
    if (Effect !== 'Allow' && Effect !== 'Deny') {
      problems.push(`Statement[${i}].Effect must be "Allow" or "Deny", got ${JSON.stringify(Effect)}`);
    }
    if (Action === undefined && NotAction === undefined) problems.push(`Statement[${i}] has no Action`);
  });
  return problems;
}

function describeErrors(errors: SimulationErrors): string {
  const lines: string[] = [];
  const add = (where: string, list: readonly { path: string; message: string }[] | undefined) => {
    for (const e of list ?? []) lines.push(`  ${where} ${e.path || '(document)'}: ${e.message}`);
  };
  add('resource policy', errors.resourcePolicyErrors);
  for (const [name, list] of Object.entries(errors.identityPolicyErrors ?? {})) add(name, list);
  for (const e of errors.anonymousRequestErrors ?? []) lines.push(`  ${e}`);
  return [errors.message, ...lines].join('\n');
}

interface Side {
  result: string;
  allowStatements: readonly { policyId: string | undefined; explain: StatementExplain }[];
  denyStatements: readonly { policyId: string | undefined; explain: StatementExplain }[];
}

function explain(headline: string, context: object, analysis: RequestAnalysis): string {
  // A statement is named by its Sid, else by its 1-based position (the simulator's identifier).
  const side = (label: string, a: Side | undefined) => {
    const ids = (list: Side['allowStatements']) =>
      list.map((s) => `${s.policyId ?? label} statement ${s.explain.identifier}`).join(', ');
    if (!a) return `  ${label}: none`;
    return (
      `  ${label}: ${a.result}` +
      (a.allowStatements.length > 0 ? `; allowed by ${ids(a.allowStatements)}` : '') +
      (a.denyStatements.length > 0 ? `; denied by ${ids(a.denyStatements)}` : '')
    );
  };
  return [
    headline,
    side('identity policies', analysis.identityAnalysis),
    side('resource policy', analysis.resourceAnalysis),
    ...(analysis.blockedBy?.length ? [`  blocked by: ${analysis.blockedBy.join(', ')}`] : []),
    `  context: ${JSON.stringify(context)}`,
  ].join('\n');
}

function snippet(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
