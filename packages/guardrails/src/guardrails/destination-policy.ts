// Guardrail 4: the CloudWatch Logs destinations in the central account accept subscriptions from our
// organization only. Every Allow statement of a destination's access policy is either limited by an
// aws:PrincipalOrgID condition or names the member accounts one by one, allows nothing but creating
// subscriptions, and the document stays within the size CloudWatch Logs accepts.
import { defineResourcePolicy, type CheckContext } from '../define.ts';
import {
  actionsOf,
  hasRestrictingCondition,
  isAccountPrincipal,
  isAllow,
  parsePolicyDocument,
  principalsOf,
  statementLabel,
  unknownIn,
  type Statement,
} from '../iam-policy.ts';
import { Unknown, at } from '../inputs.ts';
import { LOG_DESTINATION_POLICY } from '../resource-types.ts';
import { quotedList } from './common.ts';

/** The actions a destination policy may allow: subscribing a log group, or an account-level subscription policy. */
export const DESTINATION_POLICY_ACTIONS = ['logs:PutSubscriptionFilter', 'logs:PutAccountPolicy'] as const;

/** The largest access policy PutDestinationPolicy accepts (CloudWatch Logs API reference). */
export const DESTINATION_POLICY_MAX_BYTES = 5120;

/** The `destination-policy-org-scoped` policy has no configuration. */
export type DestinationPolicyConfig = Record<string, never>;

type Context = CheckContext<DestinationPolicyConfig>;

const ALLOWED_ACTIONS = new Set(DESTINATION_POLICY_ACTIONS.map((action) => action.toLowerCase()));

function checkActions(context: Context, statement: Statement, label: string): void {
  if (statement['NotAction'] !== undefined) {
    return context.report(
      `accessPolicy ${label} uses NotAction, which allows every other action: list the allowed actions in Action instead (${quotedList(DESTINATION_POLICY_ACTIONS)}).`,
    );
  }
  // IAM action names are case-insensitive; a wildcard such as "logs:*" is not an allowed action.
  const actions = actionsOf(statement);
  const others = actions.filter((action) => !ALLOWED_ACTIONS.has(action.toLowerCase()));
  if (actions.length === 0 || others.length > 0) {
    const found = actions.length === 0 ? 'no action' : quotedList(others);
    context.report(
      `accessPolicy ${label} allows ${found}: allow only "logs:PutSubscriptionFilter" (and "logs:PutAccountPolicy" for account-level subscription policies).`,
    );
  }
}

function checkPrincipals(context: Context, statement: Statement, label: string): void {
  const condition = statement['Condition'];
  if (condition instanceof Unknown) return context.skip(condition);
  if (hasRestrictingCondition(statement, ['aws:PrincipalOrgID'])) return;
  const unknownPrincipal = unknownIn(statement, ['Principal', 'NotPrincipal']);
  if (unknownPrincipal) return context.skip(unknownPrincipal);

  const orgCondition = 'add Condition StringEquals { "aws:PrincipalOrgID": "<organization id>" }';
  if (statement['NotPrincipal'] !== undefined) {
    return context.report(
      `accessPolicy ${label} uses NotPrincipal without an aws:PrincipalOrgID condition: ${orgCondition}, or list the member account ids in Principal.`,
    );
  }
  const principals = principalsOf(statement['Principal']);
  const others = principals.filter((principal) => !isAccountPrincipal(principal));
  if (principals.length === 0 || others.length > 0) {
    const found =
      principals.length === 0 ? 'no principal' : quotedList(others.map((principal) => principal.id));
    context.report(
      `accessPolicy ${label} allows ${found} without an aws:PrincipalOrgID condition: ${orgCondition}, or name only 12-digit account ids as principals.`,
    );
  }
}

/** Cross-account log destinations accept subscriptions from the organization's accounts only. */
export const destinationPolicyOrgScoped = defineResourcePolicy<DestinationPolicyConfig>({
  name: 'destination-policy-org-scoped',
  description:
    'CloudWatch Logs destination access policies allow only logs:PutSubscriptionFilter (and logs:PutAccountPolicy), only to the organization (aws:PrincipalOrgID) or to listed account ids, and stay within 5,120 bytes.',
  severity: 'high',
  remediationSteps:
    'Write one statement: Effect Allow, Principal { AWS: "*" }, Action ["logs:PutSubscriptionFilter", "logs:PutAccountPolicy"], Resource the destination ARN, Condition StringEquals { "aws:PrincipalOrgID": "<organization id>" }.',
  defaults: {},
  checks: {
    [LOG_DESTINATION_POLICY]: (context) => {
      const document = parsePolicyDocument(at(context.props, 'accessPolicy'));
      // accessPolicy is required by the provider; a missing one fails there, not here.
      if (document.kind === 'absent') return;
      if (document.kind === 'unknown') return context.skip(document.unknown);
      if (document.kind === 'invalid') {
        return context.report(`accessPolicy ${document.reason}: write it as a JSON policy document.`);
      }

      if (document.bytes !== undefined && document.bytes > DESTINATION_POLICY_MAX_BYTES) {
        context.report(
          `accessPolicy is ${document.bytes} bytes, over the ${DESTINATION_POLICY_MAX_BYTES} bytes CloudWatch Logs accepts: grant the organization with one aws:PrincipalOrgID condition instead of listing accounts.`,
        );
      }
      document.statements.forEach((statement, index) => {
        const label = statementLabel(statement, index);
        const unknownEffect = unknownIn(statement, ['Effect']);
        if (unknownEffect) return context.skip(unknownEffect);
        if (!isAllow(statement)) return;

        const unknownAction = unknownIn(statement, ['Action', 'NotAction']);
        if (unknownAction) context.skip(unknownAction);
        else checkActions(context, statement, label);
        checkPrincipals(context, statement, label);
      });
    },
  },
});
