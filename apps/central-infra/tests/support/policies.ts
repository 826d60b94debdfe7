// The policies a program run declared, collected the way AWS would see them: each role with its
// trust policy and every inline policy joined to it, each bucket with its bucket policy and Block
// Public Access settings, the key, destination and domain policies, and the ARNs of what they
// guard. Tests evaluate these, never hand-copied documents, so a change in a builder or in how a
// component wires it shows up as a changed decision.
import type { Caller, PolicyDocument, PolicyStatement } from './iam.ts';
import { policyOf } from './iam.ts';
import type { DeclaredResource, ProgramRun } from './program.ts';

/** One IAM role of the program and everything that decides what its sessions may do. */
export interface CapturedRole {
  /** The role's logical (Pulumi) name, e.g. `indexer-fn-role`. */
  readonly name: string;
  readonly arn: string;
  readonly trustPolicy: PolicyDocument;
  /** Its inline policies (`aws:iam/rolePolicy:RolePolicy`); the program attaches no managed ones. */
  readonly inlinePolicies: readonly PolicyDocument[];
}

/** One S3 bucket of the program with its policy and public-access settings. */
export interface CapturedBucket {
  readonly name: string;
  readonly arn: string;
  readonly policy: PolicyDocument;
  /** `RestrictPublicBuckets` of its `BucketPublicAccessBlock`. */
  readonly restrictPublicBuckets: boolean;
}

/** Every policy of one program run, and the ARNs requests are made against. */
export interface CapturedPolicies {
  readonly organizationId: string;
  readonly roles: readonly CapturedRole[];
  readonly buckets: readonly CapturedBucket[];
  readonly keyArn: string;
  readonly keyPolicy: PolicyDocument;
  readonly streamArn: string;
  /** Destination ARN and access policy by region. */
  readonly destinations: Readonly<Record<string, { readonly arn: string; readonly policy: PolicyDocument }>>;
  readonly domainArn: string;
  readonly domainPolicy: PolicyDocument;
  readonly organizationTrailArn: string;
  /** The role with this logical name; fails when the program declares none. */
  role(name: string): CapturedRole;
  /** The bucket with this logical name; fails when the program declares none. */
  bucket(name: string): CapturedBucket;
  /** A session of the role, as the program configures it: its inline policies, in the organization. */
  sessionOf(roleName: string): Caller;
  /** The computed ARN of any declared resource (topic, table, secret, function, log group). */
  arnOf(resourceName: string): string;
}

const TYPES = {
  role: 'aws:iam/role:Role',
  rolePolicy: 'aws:iam/rolePolicy:RolePolicy',
  bucket: 'aws:s3/bucket:Bucket',
  bucketPolicy: 'aws:s3/bucketPolicy:BucketPolicy',
  publicAccessBlock: 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
  key: 'aws:kms/key:Key',
  destination: 'aws:cloudwatch/logDestination:LogDestination',
  destinationPolicy: 'aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy',
  domain: 'aws:opensearch/domain:Domain',
  domainPolicy: 'aws:opensearch/domainPolicy:DomainPolicy',
} as const;

// Ways a role could get permissions that the inline policies would not show; the harness would
// then answer for a smaller identity than AWS sees, so capturing refuses them.
const UNMODELLED_ROLE_GRANTS = [
  'aws:iam/rolePolicyAttachment:RolePolicyAttachment',
  'aws:iam/policyAttachment:PolicyAttachment',
  'aws:iam/rolePoliciesExclusive:RolePoliciesExclusive',
];
const UNMODELLED_ROLE_INPUTS = ['managedPolicyArns', 'inlinePolicies', 'permissionsBoundary'];

/** Collects every policy of a program run (see {@link CapturedPolicies}). */
export function capturePolicies(run: ProgramRun): CapturedPolicies {
  const organizationId = stringOutput(run, 'organizationId');
  const roles = captureRoles(run);
  const buckets = captureBuckets(run);
  const [key] = exactlyOne(run, TYPES.key);
  const [domainPolicy] = exactlyOne(run, TYPES.domainPolicy);
  const [domain] = exactlyOne(run, TYPES.domain);

  const find = <T extends { name: string }>(list: readonly T[], kind: string, name: string): T => {
    const found = list.find((x) => x.name === name);
    if (!found) {
      throw new Error(
        `the program declares no ${kind} ${name} (it has: ${list.map((x) => x.name).join(', ')})`,
      );
    }
    return found;
  };

  return {
    organizationId,
    roles,
    buckets,
    keyArn: stringOf(key, 'state', 'arn'),
    keyPolicy: policyOf(key.inputs['policy']),
    streamArn: stringOutput(run, 'streamArn'),
    destinations: captureDestinations(run),
    domainArn: stringOf(domain, 'state', 'arn'),
    domainPolicy: policyOf(domainPolicy.inputs['accessPolicies']),
    organizationTrailArn: stringOutput(run, 'organizationTrailArn'),
    role: (name) => find(roles, 'role', name),
    bucket: (name) => find(buckets, 'bucket', name),
    sessionOf(roleName) {
      const role = find(roles, 'role', roleName);
      return { principal: role.arn, identityPolicies: role.inlinePolicies, orgId: organizationId };
    },
    arnOf: (resourceName) => stringOf(run.named(resourceName), 'state', 'arn'),
  };
}

function captureRoles(run: ProgramRun): CapturedRole[] {
  const unmodelled = run.resources.filter((r) => UNMODELLED_ROLE_GRANTS.includes(r.type));
  if (unmodelled.length > 0) {
    throw new Error(
      `roles get permissions the harness does not model: ${unmodelled.map((r) => r.name).join(', ')}`,
    );
  }
  const rolePolicies = run.ofType(TYPES.rolePolicy);
  const roles = run.ofType(TYPES.role).map((role): CapturedRole => {
    const extra = UNMODELLED_ROLE_INPUTS.filter((input) => role.inputs[input] !== undefined);
    if (extra.length > 0)
      throw new Error(`role ${role.name} sets ${extra.join(', ')}, which the harness does not model`);
    // A RolePolicy names its role by the role's physical name (`role: role.name` in the components).
    const physicalName = stringOf(role, 'state', 'name');
    return {
      name: role.name,
      arn: stringOf(role, 'state', 'arn'),
      trustPolicy: policyOf(role.inputs['assumeRolePolicy']),
      inlinePolicies: rolePolicies
        .filter((p) => p.inputs['role'] === physicalName)
        .map((p) => policyOf(p.inputs['policy'])),
    };
  });
  const roleNames = new Set(run.ofType(TYPES.role).map((r) => r.state['name']));
  const orphans = rolePolicies.filter((p) => !roleNames.has(p.inputs['role']));
  if (orphans.length > 0)
    throw new Error(`role policies for no declared role: ${orphans.map((p) => p.name).join(', ')}`);
  return roles;
}

// The program's S3 resources name their bucket by its id; the mocks in program.ts give every
// resource the id `<logical name>-id`.
const mockIdOf = (resource: DeclaredResource): string => `${resource.name}-id`;

function captureBuckets(run: ProgramRun): CapturedBucket[] {
  return run.ofType(TYPES.bucket).map((bucket) => {
    const id = mockIdOf(bucket);
    const forBucket = (type: string) => run.ofType(type).filter((r) => r.inputs['bucket'] === id);
    const policies = forBucket(TYPES.bucketPolicy);
    const blocks = forBucket(TYPES.publicAccessBlock);
    if (policies.length !== 1 || blocks.length !== 1) {
      throw new Error(
        `bucket ${bucket.name} has ${policies.length} bucket policies and ${blocks.length} public access blocks; expected one each`,
      );
    }
    return {
      name: bucket.name,
      arn: stringOf(bucket, 'state', 'arn'),
      policy: policyOf(policies[0]?.inputs['policy']),
      restrictPublicBuckets: blocks[0]?.inputs['restrictPublicBuckets'] === true,
    };
  });
}

function captureDestinations(run: ProgramRun): CapturedPolicies['destinations'] {
  const policies = run.ofType(TYPES.destinationPolicy);
  const entries = run.ofType(TYPES.destination).map((destination) => {
    const region = stringOf(destination, 'inputs', 'region');
    const matching = policies.filter(
      (p) => p.inputs['region'] === region && p.inputs['destinationName'] === destination.inputs['name'],
    );
    if (matching.length !== 1) {
      throw new Error(`destination ${destination.name} has ${matching.length} access policies; expected one`);
    }
    const policy = policyOf(matching[0]?.inputs['accessPolicy']);
    return [region, { arn: stringOf(destination, 'state', 'arn'), policy }] as const;
  });
  return Object.fromEntries(entries);
}

/** A policy without the conditions on some keys, and which conditions were taken out. */
export interface WithoutConditionKeys {
  readonly policy: PolicyDocument;
  readonly removed: readonly {
    readonly sid: string | undefined;
    readonly operator: string;
    readonly key: string;
    readonly values: unknown;
  }[];
}

/**
 * The policy with every condition on a key matching `keyPattern` removed. For keys the simulator
 * cannot evaluate (`kms:EncryptionContext:*`): evaluate the rest of the statement on the result
 * and check the removed conditions' values separately, so neither half is skipped.
 */
export function withoutConditionKeys(policy: PolicyDocument, keyPattern: RegExp): WithoutConditionKeys {
  const removed: WithoutConditionKeys['removed'][number][] = [];
  const statements = [policy.Statement].flat().map((statement): PolicyStatement => {
    if (!statement.Condition) return statement;
    const condition: Record<string, Record<string, unknown>> = {};
    for (const [operator, keys] of Object.entries(statement.Condition)) {
      const kept = Object.entries(keys).filter(([key, values]) => {
        if (!keyPattern.test(key)) return true;
        removed.push({ sid: statement.Sid, operator, key, values });
        return false;
      });
      if (kept.length > 0) condition[operator] = Object.fromEntries(kept);
    }
    const { Condition: _dropped, ...rest } = statement;
    return Object.keys(condition).length > 0
      ? { ...rest, Condition: condition as PolicyStatement['Condition'] }
      : rest;
  });
  return { policy: { ...policy, Statement: statements }, removed };
}

function exactlyOne(run: ProgramRun, type: string): [DeclaredResource] {
  const found = run.ofType(type);
  if (found.length !== 1 || !found[0]) throw new Error(`expected one ${type}, found ${found.length}`);
  return [found[0]];
}

function stringOf(resource: DeclaredResource, where: 'inputs' | 'state', key: string): string {
  const value = resource[where][key];
  if (typeof value !== 'string') throw new Error(`${resource.name}: ${where}.${key} is not a string`);
  return value;
}

function stringOutput(run: ProgramRun, name: string): string {
  const value = run.outputs[name];
  if (typeof value !== 'string') throw new Error(`stack output ${name} is not a string`);
  return value;
}
