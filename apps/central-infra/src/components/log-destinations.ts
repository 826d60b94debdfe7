import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { policyJson } from '../policy-document.ts';
import {
  destinationAccessPolicy,
  destinationRolePolicy,
  destinationRoleTrust,
  type DestinationAccess,
} from './log-destinations.policies.ts';

export interface LogDestinationsArgs {
  readonly partition: string;
  readonly homeRegion: string;
  /** One destination per region: a log group can only subscribe to a destination of its own region. */
  readonly regions: readonly string[];
  /** Stable name member accounts subscribe to (the same in every region). */
  readonly destinationName: string;
  readonly access: DestinationAccess;
  readonly streamArn: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
}

/**
 * A CloudWatch Logs destination in every configured region, each delivering to the one stream
 * (which may be in another region) through its own role, open to the organization only.
 */
export class LogDestinations extends pulumi.ComponentResource {
  /** Destination ARN by region: what member-baseline subscribes to. */
  readonly arns: pulumi.Output<Record<string, string>>;
  readonly destinations: Readonly<Record<string, aws.cloudwatch.LogDestination>>;

  constructor(name: string, args: LogDestinationsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('logging:central:LogDestinations', name, {}, opts);
    const destinations: Record<string, aws.cloudwatch.LogDestination> = {};
    for (const region of args.regions) {
      const role = new aws.iam.Role(
        `${name}-${region}-role`,
        {
          description: `CloudWatch Logs in ${region} delivers subscribed log events to the central stream`,
          assumeRolePolicy: policyJson(destinationRoleTrust(args.partition, region, args.access)),
        },
        { parent: this },
      );
      const rolePolicy = new aws.iam.RolePolicy(
        `${name}-${region}-put-records`,
        {
          role: role.name,
          policy: pulumi
            .all([args.streamArn, args.kmsKeyArn])
            .apply(([stream, key]) => policyJson(destinationRolePolicy(stream, key, args.homeRegion))),
        },
        { parent: this },
      );
      // CloudWatch Logs checks that it can assume the role and put a test record when the
      // destination is created: the role's policy has to exist first.
      const destination = new aws.cloudwatch.LogDestination(
        `${name}-${region}`,
        { name: args.destinationName, region, roleArn: role.arn, targetArn: args.streamArn },
        { parent: this, dependsOn: [rolePolicy] },
      );
      new aws.cloudwatch.LogDestinationPolicy(
        `${name}-${region}-access`,
        {
          destinationName: destination.name,
          region,
          accessPolicy: destination.arn.apply((arn) => policyJson(destinationAccessPolicy(arn, args.access))),
          // Needed when a stack moves from an account list to the organization form.
          forceUpdate: args.access.kind === 'organization',
        },
        { parent: this },
      );
      destinations[region] = destination;
    }
    this.destinations = destinations;
    this.arns = pulumi
      .all(Object.entries(destinations).map(([region, d]) => d.arn.apply((arn) => [region, arn] as const)))
      .apply((pairs) => Object.fromEntries(pairs));
    this.registerOutputs({ arns: this.arns });
  }
}
