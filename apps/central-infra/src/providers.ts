import * as aws from '@pulumi/aws';
import type { CentralConfig } from './config.ts';

/**
 * The one AWS provider of the central account: its home region, and `allowedAccountIds` so that
 * credentials for any other account (an easy mistake with many profiles) fail the run before a
 * single resource is touched. Regional resources (destinations) take their own `region`.
 */
export function centralProvider(config: CentralConfig): aws.Provider {
  return new aws.Provider('central', {
    region: config.homeRegion as aws.Region,
    allowedAccountIds: [config.accountId],
    defaultTags: { tags: { 'logging:stack': 'central-infra', 'logging:managed-by': 'pulumi' } },
  });
}
