// The policy pack's entry point: `pulumi preview --policy-pack packages/guardrails` runs this file,
// which serves the policies to the engine. Tests import the policies from policies.ts instead, since
// constructing a PolicyPack starts a gRPC server.
//
// The policies are imported through the package's own name, not './policies.ts': Pulumi's runner
// compiles this one file with its bundled ts-node, which would rewrite a relative './policies.ts' to
// './policies.js' (a file that does not exist). A package import is left as written, and Node then
// loads src/policies.ts and everything it imports with its built-in TypeScript support (Node 22.18+).
import { PolicyPack } from '@pulumi/policy';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the self-import is needed, see above.
import { guardrails, policies } from '@central-logging/guardrails';

new PolicyPack(guardrails.name, {
  description: guardrails.description,
  enforcementLevel: 'mandatory',
  policies,
});
