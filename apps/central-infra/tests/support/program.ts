import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { vi } from 'vitest';
import { parse as parseYaml } from 'yaml';

/** The example stack the tests run the program with. */
export const STACK_FILE = resolve(import.meta.dirname, '../../../../stacks/central-infra/Pulumi.prod.yaml');

/** One resource the program declared, as the engine would have received it. */
export interface DeclaredResource {
  readonly type: string;
  readonly name: string;
  /** The inputs with every output resolved (what `pulumi up` would send to AWS). */
  readonly inputs: Record<string, unknown>;
  /** The resolved state the mock returned: inputs plus the computed ARN, id and names. */
  readonly state: Record<string, unknown>;
  /** Logical name of the parent resource (a component), if any. */
  readonly parent: string | undefined;
  /** Logical names of the resources it depends on (explicit `dependsOn` and input dependencies). */
  readonly dependsOn: readonly string[];
  readonly urn: string;
  /** URNs each input depends on, as the engine records them (policy packs see these). */
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
  readonly provider: string | undefined;
}

/** The invokes the program may make; anything else fails the run (a surprise call to AWS). */
const EXPECTED_INVOKES: Readonly<
  Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>>
> = {
  // The S3 gateway endpoint's prefix list, for the indexer's security group (VPC placement only).
  'aws:ec2/getPrefixList:getPrefixList': (inputs) => ({
    id: 'pl-6da54004',
    name: inputs['name'],
    cidrBlocks: ['52.218.0.0/17'],
  }),
};

export interface ProgramRun {
  readonly resources: readonly DeclaredResource[];
  readonly outputs: Record<string, unknown>;
  readonly invokes: readonly string[];
  /** Resources of a type, e.g. `aws:s3/bucketPolicy:BucketPolicy`. */
  ofType(type: string): DeclaredResource[];
  /** The one resource with this logical name (and type); fails the test when there is none or several. */
  named(name: string, type?: string): DeclaredResource;
}

/** The stack file's config as the Pulumi engine hands it to a program: `ns:key` → string. */
export function stackConfig(file = STACK_FILE): Record<string, string> {
  const document = parseYaml(readFileSync(file, 'utf8')) as { config: Record<string, unknown> };
  return Object.fromEntries(
    Object.entries(document.config).map(([key, value]) => [
      key,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );
}

let runs = 0;

/** The part of Pulumi's mock monitor the harness wraps (its gRPC-shaped registerResource). */
interface MonitorWithRegister {
  registerResource(
    request: {
      getType(): string;
      getName(): string;
      getParent(): string;
      getDependenciesList(): string[];
      getPropertydependenciesMap(): {
        forEach(f: (urns: { getUrnsList(): string[] }, key: string) => void): void;
      };
    },
    callback: (error: unknown, response: { getUrn(): string } | undefined) => void,
  ): unknown;
}

/**
 * Runs the real program (`src/index.ts`) under Pulumi mocks with the example stack's config,
 * changed by `overrides` (a value of `undefined` removes a key), and returns every declared
 * resource with its inputs resolved, and the stack outputs.
 */
export async function runProgram(
  overrides: Record<string, unknown> = {},
  options: { secrets?: Record<string, string> } = {},
): Promise<ProgramRun> {
  let config = stackConfig();
  for (const [key, value] of Object.entries(overrides)) {
    const fullKey = key.includes(':') ? key : `central-infra:${key}`;
    if (value === undefined)
      config = Object.fromEntries(Object.entries(config).filter(([k]) => k !== fullKey));
    else config[fullKey] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  const secrets = options.secrets ?? {
    'central-infra:slackWebhookUrl': 'https://hooks.slack.com/services/T000/B000/XXXX',
  };
  Object.assign(config, secrets);

  const resources: DeclaredResource[] = [];
  const invokes: string[] = [];
  runs += 1;
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        const state = mockState(args.type, args.name, args.inputs);
        const id = args.type.startsWith('pulumi:providers:') ? 'provider-id' : `${args.name}-id`;
        resources.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs as Record<string, unknown>,
          state,
          parent: undefined,
          dependsOn: [],
          urn: '',
          propertyDependencies: {},
          provider: args.provider,
        });
        return { id, state };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        invokes.push(args.token);
        const handler = EXPECTED_INVOKES[args.token];
        if (!handler) throw new Error(`unexpected invoke ${args.token} ${JSON.stringify(args.inputs)}`);
        return handler(args.inputs as Record<string, unknown>);
      },
    },
    'central-infra',
    `test-${runs}`,
    false,
  );
  pulumi.runtime.setAllConfig(config, Object.keys(secrets));
  // The mocks are not told parents and dependsOn; the monitor's requests carry them, as the
  // engine would receive them.
  const registrations = new Map<
    string,
    { parent: string; dependencies: string[]; urn: string; propertyDependencies: Record<string, string[]> }
  >();
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorWithRegister;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    const propertyDependencies: Record<string, string[]> = {};
    request.getPropertydependenciesMap().forEach((urns, key) => {
      propertyDependencies[key] = urns.getUrnsList();
    });
    const registration = {
      parent: request.getParent(),
      dependencies: request.getDependenciesList(),
      urn: '',
      propertyDependencies,
    };
    registrations.set(`${request.getType()}::${request.getName()}`, registration);
    return register(request, (error, response) => {
      if (response) registration.urn = response.getUrn();
      callback(error, response);
    });
  };

  vi.resetModules();
  const program = (await import('../../src/index.ts')) as Record<string, unknown>;
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(program)) outputs[key] = await resolved(value);
  // Registrations finish asynchronously (inputs resolve first): wait until no more arrive.
  await settle(() => resources.length);
  for (const resource of resources) {
    const registration = registrations.get(`${resource.type}::${resource.name}`);
    Object.assign(resource, {
      parent: registration?.parent ? nameOf(registration.parent) : undefined,
      dependsOn: (registration?.dependencies ?? []).map(nameOf),
      urn: registration?.urn ?? '',
      propertyDependencies: registration?.propertyDependencies ?? {},
    });
  }

  return {
    resources,
    outputs,
    invokes,
    ofType: (type) => resources.filter((r) => r.type === type),
    named(name, type) {
      const matches = resources.filter((r) => r.name === name && (type === undefined || r.type === type));
      if (matches.length !== 1) {
        throw new Error(`expected one resource named ${name}, found ${matches.length}`);
      }
      return present(matches[0], name);
    },
  };
}

/** The value, or a failed test saying what was missing (instead of a non-null assertion). */
export function present<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`expected ${what}`);
  return value;
}

const nameOf = (urn: string): string => urn.slice(urn.lastIndexOf('::') + 2);

/** The value of an output (or a plain value), as the engine would see it after `pulumi up`. */
export function resolved<T>(value: T | pulumi.Output<T> | Promise<T>): Promise<T> {
  if (pulumi.Output.isInstance(value)) {
    return new Promise((resolveValue) => (value as pulumi.Output<T>).apply((v) => resolveValue(v)));
  }
  return Promise.resolve(value as T | Promise<T>);
}

async function settle(count: () => number): Promise<void> {
  let stableFor = 0;
  let last = -1;
  while (stableFor < 5) {
    await new Promise((r) => setTimeout(r, 5));
    const now = count();
    stableFor = now === last ? stableFor + 1 : 0;
    last = now;
  }
}

/**
 * What AWS would compute for a resource: an ARN shaped like the real one (so policies are
 * evaluated against realistic ARNs), its id and physical names.
 */
function mockState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const account = '210987654321';
  const region = typeof inputs['region'] === 'string' ? inputs['region'] : 'eu-west-1';
  const physical = (typeof inputs['name'] === 'string' ? inputs['name'] : `${name}-1a2b3c`) as string;
  const state: Record<string, unknown> = { ...inputs, name: physical };
  switch (type) {
    case 'aws:kms/key:Key':
      state['arn'] = `arn:aws:kms:${region}:${account}:key/0f1e2d3c-${name}`;
      state['keyId'] = `0f1e2d3c-${name}`;
      break;
    case 'aws:kinesis/stream:Stream':
      state['arn'] = `arn:aws:kinesis:${region}:${account}:stream/${physical}`;
      break;
    case 'aws:iam/role:Role':
      state['arn'] = `arn:aws:iam::${account}:role/${physical}`;
      break;
    case 'aws:cloudwatch/logDestination:LogDestination':
      state['arn'] = `arn:aws:logs:${region}:${account}:destination:${physical}`;
      break;
    case 'aws:cloudwatch/logGroup:LogGroup':
      state['arn'] = `arn:aws:logs:${region}:${account}:log-group:${physical}`;
      break;
    case 'aws:cloudwatch/logStream:LogStream':
      state['arn'] =
        `arn:aws:logs:${region}:${account}:log-group:${String(inputs['logGroupName'])}:log-stream:${physical}`;
      break;
    case 'aws:s3/bucket:Bucket': {
      const bucket = `${name}-1a2b3c`;
      state['bucket'] = bucket;
      state['arn'] = `arn:aws:s3:::${bucket}`;
      return { ...state, id: bucket };
    }
    case 'aws:lambda/function:Function':
      state['arn'] = `arn:aws:lambda:${region}:${account}:function:${physical}`;
      break;
    case 'aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream':
      state['arn'] = `arn:aws:firehose:${region}:${account}:deliverystream/${physical}`;
      break;
    case 'aws:opensearch/domain:Domain':
      state['arn'] = `arn:aws:es:${region}:${account}:domain/${String(inputs['domainName'])}`;
      state['endpoint'] = `search-${String(inputs['domainName'])}-abc123.${region}.es.amazonaws.com`;
      state['dashboardEndpoint'] = `${String(state['endpoint'])}/_dashboards`;
      break;
    case 'aws:dynamodb/table:Table':
      state['arn'] = `arn:aws:dynamodb:${region}:${account}:table/${physical}`;
      break;
    case 'aws:sns/topic:Topic':
      state['arn'] = `arn:aws:sns:${region}:${account}:${physical}`;
      break;
    case 'aws:sqs/queue:Queue':
      state['arn'] = `arn:aws:sqs:${region}:${account}:${physical}`;
      state['url'] = `https://sqs.${region}.amazonaws.com/${account}/${physical}`;
      break;
    case 'aws:secretsmanager/secret:Secret':
      state['arn'] = `arn:aws:secretsmanager:${region}:${account}:secret:${physical}-AbCdEf`;
      return { ...state, id: state['arn'] };
    case 'awsx:ec2:Vpc':
      return {
        vpcId: 'vpc-0123456789abcdef0',
        isolatedSubnetIds: ['subnet-0a', 'subnet-0b', 'subnet-0c'],
        privateSubnetIds: [],
        publicSubnetIds: [],
        routeTables: [],
      };
    default:
      state['arn'] = `arn:aws:mock:${region}:${account}:${type}/${physical}`;
  }
  return state;
}
