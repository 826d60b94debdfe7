import * as aws from '@pulumi/aws';
import * as awsx from '@pulumi/awsx';
import * as pulumi from '@pulumi/pulumi';
import type { CentralConfig } from '../config.ts';
import { policyJson } from '../policy-document.ts';
import {
  domainAccessPolicy,
  logPublishingPolicy,
  masterRolePolicy,
  masterRoleTrust,
} from './search-domain.policies.ts';

/** TLS 1.2+ with forward secrecy only (OpenSearch's newest endpoint policy). */
export const TLS_POLICY = 'Policy-Min-TLS-1-2-PFS-2023-10';

/** The domain logs OpenSearch publishes; audit logs need fine-grained access control, which is on. */
export const DOMAIN_LOG_TYPES = [
  'INDEX_SLOW_LOGS',
  'SEARCH_SLOW_LOGS',
  'ES_APPLICATION_LOGS',
  'AUDIT_LOGS',
] as const;

/**
 * The netmask of the isolated subnets, one per zone: /20 where the VPC has room for one per zone
 * (a /16 to /18, or a /19 across two zones), so existing subnets are not replaced; in a smaller
 * VPC, the largest mask that still fits one subnet per zone (a /24 across three zones: /26).
 */
export function isolatedSubnetMask(cidrBlock: string, zones: number): number {
  const vpcMask = Number(cidrBlock.split('/')[1]);
  return Math.max(20, vpcMask + Math.ceil(Math.log2(zones)));
}

export interface SearchDomainArgs {
  readonly partition: string;
  readonly accountId: string;
  readonly homeRegion: string;
  readonly settings: CentralConfig['opensearch'];
  readonly logRetentionDays: number;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly masterRoleName: string;
}

/** Where a function that talks to a VPC domain is placed. */
export interface DomainNetwork {
  readonly subnetIds: pulumi.Output<string[]>;
  /** For the clients: may reach the domain on 443. */
  readonly clientSecurityGroupId: pulumi.Output<string>;
}

/**
 * The OpenSearch domain: encrypted at rest (the pipeline key) and between nodes, HTTPS only with a
 * modern TLS policy, fine-grained access control with an IAM master role, slow and error logs
 * published. With `opensearch.vpc` set, it lives in private subnets of its own VPC (no NAT, VPC
 * endpoints for S3, KMS, CloudWatch Logs and STS); otherwise its endpoint is public and every
 * request is signed and checked by the access policy and fine-grained access control.
 */
export class SearchDomain extends pulumi.ComponentResource {
  readonly domain: aws.opensearch.Domain;
  readonly masterRole: aws.iam.Role;
  readonly arn: pulumi.Output<string>;
  readonly endpoint: pulumi.Output<string>;
  readonly dashboardsUrl: pulumi.Output<string>;
  readonly network: DomainNetwork | undefined;
  /** The domain's slow, application and audit log groups. */
  readonly logGroupNames: pulumi.Output<string>[];

  constructor(name: string, args: SearchDomainArgs, opts?: pulumi.ComponentResourceOptions) {
    super('logging:central:SearchDomain', name, {}, opts);
    const { settings, partition, accountId, homeRegion } = args;
    const domainArn = `arn:${partition}:es:${homeRegion}:${accountId}:domain/${settings.domainName}`;

    this.masterRole = new aws.iam.Role(
      `${name}-master-role`,
      {
        name: args.masterRoleName,
        description: 'OpenSearch fine-grained access control master user (templates, ISM, role mappings)',
        assumeRolePolicy: policyJson(masterRoleTrust(partition, accountId, settings.adminRoleArns)),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-master-access`,
      { role: this.masterRole.name, policy: policyJson(masterRolePolicy(domainArn)) },
      { parent: this },
    );

    const logGroups = DOMAIN_LOG_TYPES.map(
      (logType) =>
        [
          logType,
          new aws.cloudwatch.LogGroup(
            `${name}-${logType.toLowerCase().replace(/_/g, '-')}`,
            {
              name: `/aws/opensearch/${settings.domainName}/${logType.toLowerCase()}`,
              retentionInDays: args.logRetentionDays,
              kmsKeyId: args.kmsKeyArn,
            },
            { parent: this },
          ),
        ] as const,
    );
    const publishing = new aws.cloudwatch.LogResourcePolicy(
      `${name}-log-publishing`,
      {
        policyName: `${settings.domainName}-opensearch-logs`,
        policyDocument: policyJson(
          logPublishingPolicy(partition, homeRegion, accountId, settings.domainName),
        ),
      },
      { parent: this },
    );

    let vpcOptions: aws.types.input.opensearch.DomainVpcOptions | undefined;
    if (settings.vpc) {
      const network = this.buildNetwork(name, settings.vpc.cidrBlock, settings.availabilityZones, homeRegion);
      this.network = { subnetIds: network.subnetIds, clientSecurityGroupId: network.clientSecurityGroup.id };
      vpcOptions = {
        subnetIds: network.subnetIds.apply((ids) => ids.slice(0, settings.availabilityZones)),
        securityGroupIds: [network.domainSecurityGroup.id],
      };
    }

    const master = settings.dedicatedMaster;
    this.domain = new aws.opensearch.Domain(
      `${name}-domain`,
      {
        domainName: settings.domainName,
        engineVersion: settings.engineVersion,
        clusterConfig: {
          instanceType: settings.instanceType,
          instanceCount: settings.instanceCount,
          zoneAwarenessEnabled: settings.availabilityZones > 1,
          zoneAwarenessConfig:
            settings.availabilityZones > 1
              ? { availabilityZoneCount: settings.availabilityZones }
              : undefined,
          dedicatedMasterEnabled: master !== undefined,
          dedicatedMasterType: master?.instanceType,
          dedicatedMasterCount: master?.count,
        },
        ebsOptions: {
          ebsEnabled: true,
          volumeType: 'gp3',
          volumeSize: settings.volumeSizeGiB,
          iops: settings.volumeIops,
          throughput: settings.volumeThroughputMiBps,
        },
        encryptAtRest: { enabled: true, kmsKeyId: args.kmsKeyArn },
        nodeToNodeEncryption: { enabled: true },
        domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: TLS_POLICY },
        advancedSecurityOptions: {
          enabled: true,
          anonymousAuthEnabled: false,
          internalUserDatabaseEnabled: false,
          masterUserOptions: { masterUserArn: this.masterRole.arn },
        },
        vpcOptions,
        logPublishingOptions: logGroups.map(([logType, group]) => ({
          logType,
          cloudwatchLogGroupArn: group.arn,
          enabled: true,
        })),
      },
      // OpenSearch checks it may write to the log groups when the domain is created.
      { parent: this, dependsOn: [publishing] },
    );
    this.logGroupNames = logGroups.map(([, group]) => group.name);
    this.arn = this.domain.arn;
    this.endpoint = pulumi.interpolate`https://${this.domain.endpoint}`;
    this.dashboardsUrl = pulumi.interpolate`https://${this.domain.dashboardEndpoint}`;
    this.registerOutputs({ endpoint: this.endpoint, dashboardsUrl: this.dashboardsUrl });
  }

  /**
   * The domain's access policy, set once the principals exist (the indexer's role is created
   * after the domain, whose endpoint it needs). Until then the domain answers no one.
   */
  allowAccess(writers: readonly pulumi.Input<string>[], administrators: readonly pulumi.Input<string>[]) {
    return new aws.opensearch.DomainPolicy(
      'search-access',
      {
        domainName: this.domain.domainName,
        accessPolicies: pulumi
          .all([this.domain.arn, pulumi.all([...writers]), pulumi.all([...administrators])])
          .apply(([domainArn, writerArns, adminArns]) =>
            policyJson(domainAccessPolicy(domainArn, { writers: writerArns, administrators: adminArns })),
          ),
      },
      { parent: this },
    );
  }

  private buildNetwork(name: string, cidrBlock: string, zones: number, region: string) {
    const subnetZones = Math.max(zones, 2);
    const vpc = new awsx.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock,
        numberOfAvailabilityZones: subnetZones,
        // No route to the internet: the indexer needs only the domain and AWS APIs (endpoints).
        subnetSpecs: [
          { type: awsx.ec2.SubnetType.Isolated, cidrMask: isolatedSubnetMask(cidrBlock, subnetZones) },
        ],
        natGateways: { strategy: awsx.ec2.NatGatewayStrategy.None },
        enableDnsHostnames: true,
        enableDnsSupport: true,
      },
      { parent: this },
    );
    const endpointSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-endpoints-sg`,
      {
        vpcId: vpc.vpcId,
        description: 'VPC interface endpoints: HTTPS from inside the VPC',
        ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: [cidrBlock] }],
      },
      { parent: this },
    );
    for (const service of ['kms', 'logs', 'sts']) {
      new aws.ec2.VpcEndpoint(
        `${name}-${service}-endpoint`,
        {
          vpcId: vpc.vpcId,
          serviceName: `com.amazonaws.${region}.${service}`,
          vpcEndpointType: 'Interface',
          privateDnsEnabled: true,
          subnetIds: vpc.isolatedSubnetIds,
          securityGroupIds: [endpointSecurityGroup.id],
        },
        { parent: this },
      );
    }
    new aws.ec2.VpcEndpoint(
      `${name}-s3-endpoint`,
      {
        vpcId: vpc.vpcId,
        serviceName: `com.amazonaws.${region}.s3`,
        vpcEndpointType: 'Gateway',
        routeTableIds: vpc.routeTables.apply((tables) => tables.map((t) => t.id)),
      },
      { parent: this },
    );
    // S3 through the gateway endpoint is reached on S3's public addresses (its prefix list).
    const s3Addresses = aws.ec2.getPrefixListOutput({ name: `com.amazonaws.${region}.s3` }, { parent: this });
    const clientSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-clients-sg`,
      {
        vpcId: vpc.vpcId,
        description: 'Functions that call the OpenSearch domain and AWS APIs over HTTPS',
        egress: [
          { protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: [cidrBlock] },
          { protocol: 'tcp', fromPort: 443, toPort: 443, prefixListIds: [s3Addresses.id] },
        ],
      },
      { parent: this },
    );
    const domainSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-domain-sg`,
      {
        vpcId: vpc.vpcId,
        description: 'OpenSearch domain: HTTPS from the pipeline functions only',
        ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, securityGroups: [clientSecurityGroup.id] }],
      },
      { parent: this },
    );
    return { subnetIds: vpc.isolatedSubnetIds, clientSecurityGroup, domainSecurityGroup };
  }
}
