// What a policy receives during `pulumi preview` for a value that depends on a resource not yet
// created: the engine sends a sentinel string (the same one in every Pulumi SDK), and @pulumi/policy
// wraps the props in a proxy that throws UnknownValueError when such a value is read.
import { unknownCheckingProxy } from '@pulumi/policy';
import type { ResourceDescription } from '../../src/evaluate.ts';

/** The sentinel of a string unknown during preview (@pulumi/policy proxy.js, unknownStringValue). */
export const UNKNOWN_STRING = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

/** The sentinel of a boolean unknown during preview (@pulumi/policy proxy.js, unknownBooleanValue). */
export const UNKNOWN_BOOLEAN = '1c4a061d-8072-4f0a-a4cb-0ff528b18fe7';

/** The resource as the engine hands it to a policy during preview: props behind the unknown-checking proxy. */
export function duringPreview(resource: ResourceDescription): ResourceDescription {
  return { ...resource, props: unknownCheckingProxy(resource.props) as Record<string, unknown> };
}
