// Every built-in rule on real third-party samples, or on variants built from them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LogDocument } from '@central-logging/log-schema';
import { describe, expect, it } from 'vitest';
import { RuleEngine, type Findings } from '../../src/engine.ts';
import { loadAlertConfig } from '../../src/rules/load.ts';
import type { TenantsConfig } from '../../src/rules/schema.ts';
import {
  cloudTrail,
  consoleLogins,
  decode,
  fixtureLines,
  nginxLine,
  securityGroupIngress,
} from '../support/documents.ts';

const RULES = fileURLToPath(new URL('../../rules/', import.meta.url));
const { rules } = loadAlertConfig({ ruleDirs: [RULES] });
const engine = new RuleEngine(rules);

type Json = Record<string, unknown>;
const identity = (r: Json) => r.userIdentity as Json;

/** The rule ids of every alert, window and new value the documents produce. */
function fired(findings: Findings): string[] {
  return [
    ...findings.alerts.map((a) => a.ruleId),
    ...findings.windows.filter((w) => w.eventIds.size >= w.count).map((w) => w.ruleId),
    ...findings.newValues.map((n) => n.alert.key.split('|')[0] as string),
  ].sort();
}
const firedBy = (documents: LogDocument[], e: RuleEngine = engine) => fired(e.evaluate(documents));

/** A real record turned into another API call by the same principal. */
const asCall =
  (eventSource: string, eventName: string, extra: (r: Json) => void = () => undefined) =>
  (r: Json) => {
    r.eventSource = eventSource;
    r.eventName = eventName;
    extra(r);
    return r;
  };

it('the pack loads: twelve rules, every one with a test below', () => {
  expect(rules.map((r) => r.id).sort()).toEqual([
    'cloudtrail-tampering',
    'console-login-failures-burst',
    'console-login-without-mfa',
    'container-http-5xx',
    'container-http-slow',
    'guardduty-high-severity',
    'iam-policy-or-user-change',
    'lambda-timeout-or-error',
    'root-access-key-created',
    'root-account-activity',
    'security-group-open-to-world',
    'vpc-flow-reject-burst',
  ]);
});

describe('root', () => {
  const asRoot = (r: Json) => {
    identity(r).type = 'Root';
    delete identity(r).userName;
    return r;
  };

  it('root-account-activity: root sign-ins alert once per account, action and hour', () => {
    // The three real sign-ins, made by root in one account within the hour.
    const documents = consoleLogins((r, i) => {
      r.recipientAccountId = '111122223333';
      r.eventTime = `2023-11-14T22:1${i}:00Z`;
      return asRoot(r);
    });
    const findings = engine.evaluate(documents);
    const alerts = findings.alerts.filter((a) => a.ruleId === 'root-account-activity');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      severity: 'critical',
      count: 3,
      account: '111122223333',
      dataset: 'aws.cloudtrail',
    });
    expect(alerts[0]?.evidence.map((e) => e.field)).toContain('source.ip');
    expect(firedBy(consoleLogins())).not.toContain('root-account-activity');
    // Calls a service makes on root's behalf are not root at the keyboard.
    const invoked = consoleLogins((r) => {
      asRoot(r);
      identity(r).invokedBy = 'support.amazonaws.com';
      return r;
    });
    expect(firedBy(invoked)).not.toContain('root-account-activity');
  });

  it('root-access-key-created: CreateAccessKey by root, not by an IAM user', () => {
    const byRoot = cloudTrail(
      'integrations_test-put-object-json.log',
      asCall('iam.amazonaws.com', 'CreateAccessKey', asRoot),
    );
    expect(firedBy(byRoot)).toContain('root-access-key-created');
    const byUser = cloudTrail(
      'integrations_test-put-object-json.log',
      asCall('iam.amazonaws.com', 'CreateAccessKey'),
    );
    expect(firedBy(byUser)).not.toContain('root-access-key-created');
  });
});

describe('console sign-in', () => {
  it('console-login-without-mfa: the real sample of an IAM user without MFA, not the failures or the federated one', () => {
    const alerts = engine
      .evaluate(consoleLogins())
      .alerts.filter((a) => a.ruleId === 'console-login-without-mfa');
    expect(alerts.map((a) => a.group?.['user.name'])).toEqual(['JohnDoe']);
    const withMfa = consoleLogins((r) => {
      (r.additionalEventData as Json).MFAUsed = 'Yes';
      return r;
    });
    expect(firedBy(withMfa)).not.toContain('console-login-without-mfa');
  });

  it('console-login-failures-burst: five failures from one address in five minutes, not four', () => {
    // The sample's failure, repeated as separate events (new ids) from the same address.
    const failures = (n: number): LogDocument[] => {
      const line = fixtureLines('cloudtrail/integrations_test-console-login-json.log')[1] as string;
      return decode(
        'aws-cloudtrail-logs-org',
        Array.from({ length: n }, () => line),
      );
    };
    const windows = engine
      .evaluate(failures(5))
      .windows.filter((w) => w.ruleId === 'console-login-failures-burst');
    expect(windows).toHaveLength(1);
    expect(windows[0]?.eventIds.size).toBe(5);
    expect(windows[0]?.alert().group).toEqual({ 'source.ip': '89.160.20.156' });
    expect(firedBy(failures(4))).not.toContain('console-login-failures-burst');
  });
});

describe('configuration changes', () => {
  it.each(['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'])(
    'cloudtrail-tampering: %s',
    (action) => {
      const documents = cloudTrail(
        'integrations_test-put-object-json.log',
        asCall('cloudtrail.amazonaws.com', action),
      );
      expect(firedBy(documents)).toContain('cloudtrail-tampering');
    },
  );

  it('cloudtrail-tampering: reading trails is fine', () => {
    const documents = cloudTrail(
      'integrations_test-put-object-json.log',
      asCall('cloudtrail.amazonaws.com', 'DescribeTrails'),
    );
    expect(firedBy(documents)).not.toContain('cloudtrail-tampering');
  });

  it('iam-policy-or-user-change: a successful CreateUser or AttachRolePolicy, not a denied one', () => {
    for (const action of ['CreateUser', 'AttachRolePolicy']) {
      expect(
        firedBy(cloudTrail('integrations_test-put-object-json.log', asCall('iam.amazonaws.com', action))),
      ).toContain('iam-policy-or-user-change');
    }
    const denied = cloudTrail(
      'integrations_test-put-object-json.log',
      asCall('iam.amazonaws.com', 'CreateUser', (r) => {
        r.errorCode = 'AccessDenied';
        r.errorMessage = 'User is not authorized to perform: iam:CreateUser';
      }),
    );
    expect(firedBy(denied)).not.toContain('iam-policy-or-user-change');
  });

  it('security-group-open-to-world: 0.0.0.0/0 and ::/0, not the real sample (203.0.113.0/24)', () => {
    expect(firedBy(securityGroupIngress())).not.toContain('security-group-open-to-world');
    const permissions = (r: Json) => ((r.requestParameters as Json).ipPermissions as { items: Json[] }).items;
    const v4 = securityGroupIngress((r) => {
      ((permissions(r)[0]?.ipRanges as { items: Json[] }).items[0] as Json).cidrIp = '0.0.0.0/0';
      return r;
    });
    const v6 = securityGroupIngress((r) => {
      (permissions(r)[0] as Json).ipv6Ranges = { items: [{ cidrIpv6: '::/0' }] };
      return r;
    });
    for (const documents of [v4, v6]) {
      const alert = engine
        .evaluate(documents)
        .alerts.find((a) => a.ruleId === 'security-group-open-to-world');
      expect(alert?.evidence).toContainEqual({
        field: 'aws.cloudtrail.flattened.request_parameters.groupId',
        value: 'sg-0f63fecfa17ef4fee',
      });
      expect(alert?.evidence).toContainEqual({
        field: 'aws.cloudtrail.flattened.request_parameters.ipPermissions.items.fromPort',
        value: '22',
      });
    }
  });
});

describe('GuardDuty', () => {
  const findings = decode('/aws/events/guardduty', fixtureLines('guardduty/integrations_test-guardduty.log'));

  it('guardduty-high-severity: exactly the real findings with severity ≥ 7; a tenant can lower the limit', () => {
    const high = findings.filter((d) => (d.event.severity ?? 0) >= 7);
    const medium = findings.filter((d) => (d.event.severity ?? 0) >= 5);
    expect(high.length).toBeGreaterThan(0);
    expect(medium.length).toBeGreaterThan(high.length);
    const ids = (e: RuleEngine) =>
      e
        .evaluate(findings)
        .alerts.filter((a) => a.ruleId === 'guardduty-high-severity')
        .map((a) => a.eventIds[0]);
    expect(ids(engine).sort()).toEqual(high.map((d) => d.event.id).sort());

    const tenants: TenantsConfig = {
      tenants: [
        {
          id: 'sec',
          accounts: [findings[0]?.aws.cloudwatch.owner as string],
          overrides: { 'guardduty-high-severity': { limit: 5 } },
        },
      ],
    };
    expect(ids(new RuleEngine(rules, tenants)).sort()).toEqual(medium.map((d) => d.event.id).sort());
  });
});

describe('network', () => {
  it('vpc-flow-reject-burst: 100 rejected flows from one source within five minutes, not 99, and not accepted ones', () => {
    const reject = fixtureLines('vpcflow/test-extra-samples.log').find((l) => l.includes('REJECT')) as string;
    const fields = reject.split(' ');
    const flows = (n: number, action = 'REJECT') =>
      decode(
        '/vpc/flow-logs',
        Array.from({ length: n }, (_, i) => {
          const f = [...fields];
          f[6] = String(1000 + i); // a scan: one destination port after another
          f[12] = action;
          return f.join(' ');
        }),
      );
    const windows = engine.evaluate(flows(100)).windows.filter((w) => w.ruleId === 'vpc-flow-reject-burst');
    expect(windows.map((w) => [w.alert().group, w.eventIds.size])).toEqual([
      [{ 'source.ip': fields[3] }, 100],
    ]);
    expect(firedBy(flows(99))).not.toContain('vpc-flow-reject-burst');
    expect(firedBy(flows(150, 'ACCEPT'))).not.toContain('vpc-flow-reject-burst');
  });
});

describe('workloads', () => {
  it('lambda-timeout-or-error: Datadog’s real timeout REPORT and the runtime’s timeout line, not a normal REPORT', () => {
    const cases = (
      JSON.parse(
        readFileSync(
          new URL('../../../decoder/tests/fixtures/lambda/datadog_lambda_report_cases.json', import.meta.url),
          'utf8',
        ),
      ) as {
        cases: { test: string; input: string }[];
      }
    ).cases;
    const timeout = cases.find((c) => c.input.includes('"status": "timeout"'));
    const normal = cases.find((c) => c.test === 'test_parse_metrics_from_standard_report');
    expect(timeout && normal).toBeTruthy();
    expect(firedBy(decode('/aws/lambda/orders', [timeout?.input as string]))).toContain(
      'lambda-timeout-or-error',
    );
    expect(firedBy(decode('/aws/lambda/orders', [normal?.input as string]))).not.toContain(
      'lambda-timeout-or-error',
    );
    const line =
      '2023-11-14T22:13:20.000Z 8edab1f8-7d34-4a8e-a965-da3b32c00000 Task timed out after 3.00 seconds';
    const alerts = engine
      .evaluate(decode('/aws/lambda/orders', [line, line]))
      .alerts.filter((a) => a.ruleId === 'lambda-timeout-or-error');
    expect(alerts.map((a) => a.count)).toEqual([2]); // one alert per function and 15 minutes
  });

  it('container-http-5xx: twenty 5xx responses from one container in five minutes', () => {
    const lines = (n: number, status: number) =>
      Array.from({ length: n }, (_, i) => nginxLine(status, `/api/orders/${i}`, i));
    const windows = engine
      .evaluate(decode('/aws/containerinsights/prod/application', lines(20, 502)))
      .windows.filter((w) => w.ruleId === 'container-http-5xx');
    expect(windows.map((w) => w.eventIds.size)).toEqual([20]);
    expect(firedBy(decode('/aws/containerinsights/prod/application', lines(19, 503)))).not.toContain(
      'container-http-5xx',
    );
    expect(firedBy(decode('/aws/containerinsights/prod/application', lines(50, 404)))).not.toContain(
      'container-http-5xx',
    );
  });

  it('container-http-slow: a response over 1000 ms; a tenant with a 2000 ms limit is not paged for it', () => {
    const slow = decode('/aws/containerinsights/prod/application', [nginxLine(200, '/api/report', 0, 1500)]);
    const fast = decode('/aws/containerinsights/prod/application', [nginxLine(200, '/api/report', 0, 200)]);
    expect(slow[0]?.aws.container?.response_time_ms).toBe(1500);
    const alert = engine.evaluate(slow).alerts.find((a) => a.ruleId === 'container-http-slow');
    expect(alert?.evidence).toContainEqual({ field: 'aws.container.response_time_ms', value: '1500' });
    expect(firedBy(fast)).not.toContain('container-http-slow');
    const patient = new RuleEngine(rules, {
      tenants: [
        { id: 'shop', accounts: ['111122223333'], overrides: { 'container-http-slow': { limit: 2000 } } },
      ],
    });
    expect(firedBy(slow, patient)).not.toContain('container-http-slow');
  });
});
