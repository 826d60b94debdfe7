// Running policies outside the Pulumi engine, on resources described in a test: the arguments the
// engine would pass (ResourceValidationArgs, StackValidationArgs) are built here, violations are
// collected, and the engine's handling of a value unknown during preview (an advisory, not a failure)
// is reproduced, so tests see what `pulumi preview --policy-pack` would print.
import type {
  Policies,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from '@pulumi/policy';
import { isUnknownValueError } from './inputs.ts';

/** A resource as a test describes it. */
export interface ResourceDescription {
  /** The Pulumi type token, e.g. `aws:kinesis/stream:Stream`. */
  type: string;
  name: string;
  /** The resource's inputs, camelCase as in its Args (`{ encryptionType: 'KMS', kmsKeyId: '…' }`). */
  props: Record<string, unknown>;
  /** Defaults to `urn:pulumi:test::guardrails::<type>::<name>`. */
  urn?: string;
  /** URN of the parent resource. */
  parent?: string;
  /**
   * For each input, the URNs of the resources its value came from: what the engine records for
   * `bucket: bucket.id`, known even when the value is not (stack policies use it).
   */
  propertyDependencies?: Record<string, string[]>;
}

/** A violation a policy reported, or the advisory the engine shows when a policy could not run during preview. */
export interface Violation {
  policy: string;
  message: string;
  /** The resource a stack policy named. */
  urn?: string;
  /** True for "can't run policy … during preview" (a value it needs is unknown); the engine reports it as advisory. */
  advisory?: boolean;
}

/** Configuration per policy name, as in a policy config file: `{ 'log-retention': { minRetentionDays: 30 } }`. */
export type PackConfig = Record<string, Record<string, unknown>>;

/** The URN a described resource gets. */
export function urnOf(resource: ResourceDescription): string {
  return resource.urn ?? `urn:pulumi:test::guardrails::${resource.type}::${resource.name}`;
}

const DEFAULT_OPTIONS: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

class NotApplicable extends Error {}

function notApplicable(reason?: string): never {
  throw new NotApplicable(reason);
}

/** Compares a type token with a resource class's, as the engine's `isType` does. */
function isTypeOf(type: string, resourceClass: object): boolean {
  return (resourceClass as { __pulumiType?: unknown }).__pulumiType === type;
}

/** Runs one validation; a value unknown during preview becomes an advisory, as in the engine. */
async function collect(
  policy: string,
  violations: Violation[],
  validate: () => Promise<void> | void,
): Promise<void> {
  try {
    await validate();
  } catch (error) {
    if (error instanceof NotApplicable) return;
    if (!isUnknownValueError(error)) throw error;
    violations.push({
      policy,
      message: `can't run policy '${policy}' during preview: ${error.message}`,
      advisory: true,
    });
  }
}

/** Runs a resource policy on one resource and returns what it reported. */
export async function evaluateResource(
  policy: ResourceValidationPolicy,
  resource: ResourceDescription,
  config: PackConfig = {},
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const validations = policy.validateResource ?? [];
  for (const validate of Array.isArray(validations) ? validations : [validations]) {
    const args: ResourceValidationArgs = {
      type: resource.type,
      props: resource.props,
      urn: urnOf(resource),
      name: resource.name,
      opts: resource.parent ? { ...DEFAULT_OPTIONS, parent: resource.parent } : DEFAULT_OPTIONS,
      stackTags: new Map(),
      isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
      asType: (resourceClass) =>
        isTypeOf(resource.type, resourceClass) ? (resource.props as never) : undefined,
      getConfig: <T extends object>() => (config[policy.name] ?? {}) as T,
      notApplicable,
    };
    await collect(policy.name, violations, () =>
      validate(args, (message) => violations.push({ policy: policy.name, message })),
    );
  }
  return violations;
}

/** Builds the engine's view of a stack: parents, dependencies and property dependencies resolved to resources. */
function policyResources(resources: readonly ResourceDescription[]): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const built = resources.map((resource) => {
    const policyResource: PolicyResource = {
      type: resource.type,
      props: resource.props,
      urn: urnOf(resource),
      name: resource.name,
      opts: resource.parent ? { ...DEFAULT_OPTIONS, parent: resource.parent } : DEFAULT_OPTIONS,
      dependencies: [],
      propertyDependencies: {},
      isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
      asType: (resourceClass) =>
        isTypeOf(resource.type, resourceClass) ? (resource.props as never) : undefined,
    };
    byUrn.set(policyResource.urn, policyResource);
    return policyResource;
  });

  const resolve = (urns: readonly string[]): PolicyResource[] =>
    urns.flatMap((urn) => {
      const found = byUrn.get(urn);
      return found ? [found] : [];
    });
  resources.forEach((resource, index) => {
    const policyResource = built[index];
    if (!policyResource) return;
    const parent = resource.parent ? byUrn.get(resource.parent) : undefined;
    if (parent) policyResource.parent = parent;
    const dependencies = resource.propertyDependencies ?? {};
    for (const [property, urns] of Object.entries(dependencies)) {
      policyResource.propertyDependencies[property] = resolve(urns);
    }
    policyResource.dependencies = resolve([...new Set(Object.values(dependencies).flat())]);
  });
  return built;
}

/** Runs a stack policy on a list of resources and returns what it reported. */
export async function evaluateStack(
  policy: StackValidationPolicy,
  resources: readonly ResourceDescription[],
  config: PackConfig = {},
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const args: StackValidationArgs = {
    resources: policyResources(resources),
    stackTags: new Map(),
    getConfig: <T extends object>() => (config[policy.name] ?? {}) as T,
    notApplicable,
  };
  await collect(policy.name, violations, () =>
    policy.validateStack(args, (message, urn) =>
      violations.push(
        urn === undefined ? { policy: policy.name, message } : { policy: policy.name, message, urn },
      ),
    ),
  );
  return violations;
}

/** Runs every policy on every resource, as `pulumi preview --policy-pack` would, and returns all findings. */
export async function evaluatePolicies(
  policies: Policies,
  resources: readonly ResourceDescription[],
  config: PackConfig = {},
): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const policy of policies) {
    if ('validateStack' in policy) {
      violations.push(...(await evaluateStack(policy, resources, config)));
    } else {
      for (const resource of resources) {
        const found = await evaluateResource(policy, resource, config);
        violations.push(...found.map((violation) => ({ ...violation, urn: urnOf(resource) })));
      }
    }
  }
  return violations;
}
