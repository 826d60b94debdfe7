// The shape every resource guardrail shares: a table of checks keyed by resource type, run on the
// resource's inputs read once (unknown values marked), with the policy's config merged over its
// defaults, and any check skipped for an unknown value reported to the engine at the end.
import type { PolicyConfigSchema, ResourceValidationPolicy, Severity } from '@pulumi/policy';
import { PreviewGaps, readInputs, type Unknown } from './inputs.ts';

/** What a check receives for one resource. */
export interface CheckContext<Config> {
  /** The resource's inputs as plain data (camelCase, as in the resource's Args), `Unknown` where preview cannot know. */
  readonly props: Record<string, unknown>;
  /** The policy's configuration with defaults filled in. */
  readonly config: Config;
  /** Reports a violation; the message says what to change. */
  readonly report: (message: string) => void;
  /** Records that a check was skipped because a value it needs is unknown during preview. */
  readonly skip: (value: Unknown) => void;
}

/** Checks one resource of a given type. */
export type ResourceCheck<Config> = (context: CheckContext<Config>) => void;

/** Everything that makes one guardrail: its metadata, its config defaults and its checks. */
export interface GuardrailDefinition<Config extends object> {
  name: string;
  description: string;
  severity: Severity;
  remediationSteps?: string;
  /** Used when the pack's config does not set a key (also given as `default` in `configSchema`). */
  defaults: Config;
  configSchema?: PolicyConfigSchema;
  /** One check per resource type token; resources of other types pass untouched. */
  checks: Readonly<Record<string, ResourceCheck<Config>>>;
}

/** Builds a mandatory `ResourceValidationPolicy` from a guardrail definition. */
export function defineResourcePolicy<Config extends object>(
  definition: GuardrailDefinition<Config>,
): ResourceValidationPolicy {
  const { checks, defaults, ...metadata } = definition;
  return {
    ...metadata,
    enforcementLevel: 'mandatory',
    validateResource: (args, reportViolation) => {
      const check = checks[args.type];
      if (!check) return;
      const gaps = new PreviewGaps();
      check({
        props: readInputs(args.props),
        config: withDefaults(defaults, args.getConfig<Partial<Config>>()),
        report: (message) => reportViolation(message),
        skip: gaps.skip,
      });
      gaps.throwIfAny();
    },
  };
}

/** The configured values over the defaults; a key the pack's config leaves out keeps its default. */
export function withDefaults<Config extends object>(defaults: Config, configured: Partial<Config>): Config {
  return { ...defaults, ...configured };
}
