import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { policyJson } from '../policy-document.ts';
import { keyPolicy, type KeyPolicyInputs } from './encryption.policies.ts';

export interface LogEncryptionKeyArgs extends KeyPolicyInputs {
  /** `alias/<namePrefix>`: a stable name for people and other stacks. */
  readonly alias: string;
}

/** The customer-managed KMS key every part of the pipeline encrypts with, rotated yearly. */
export class LogEncryptionKey extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: LogEncryptionKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super('logging:central:LogEncryptionKey', name, {}, opts);
    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: 'Central logging: streams, archive, alert state, topics and log groups',
        enableKeyRotation: true,
        rotationPeriodInDays: 365,
        deletionWindowInDays: 30,
        policy: policyJson(keyPolicy(args)),
      },
      { parent: this, protect: true },
    );
    new aws.kms.Alias(`${name}-alias`, { name: args.alias, targetKeyId: this.key.keyId }, { parent: this });
    this.arn = this.key.arn;
    this.registerOutputs({ arn: this.arn });
  }
}
