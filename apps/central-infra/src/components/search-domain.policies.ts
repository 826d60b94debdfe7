import { policy, type PolicyDocument } from '../policy-document.ts';

/**
 * The domain's resource policy: the pipeline's writer (the indexer) may only POST and PUT (bulk,
 * index creation); the fine-grained-access-control master role and the configured administrators
 * may use every method. Inside the domain, fine-grained access control then maps each role to
 * what it may do.
 */
export function domainAccessPolicy(
  domainArn: string,
  principals: { readonly writers: readonly string[]; readonly administrators: readonly string[] },
): PolicyDocument {
  return policy(
    {
      Sid: 'PipelineWrites',
      Effect: 'Allow',
      Principal: { AWS: [...principals.writers] },
      Action: ['es:ESHttpPost', 'es:ESHttpPut'],
      Resource: `${domainArn}/*`,
    },
    {
      Sid: 'Administrators',
      Effect: 'Allow',
      Principal: { AWS: [...principals.administrators] },
      Action: [
        'es:ESHttpGet',
        'es:ESHttpHead',
        'es:ESHttpPost',
        'es:ESHttpPut',
        'es:ESHttpDelete',
        'es:ESHttpPatch',
      ],
      Resource: `${domainArn}/*`,
    },
  );
}

/** Who may become the domain's master user: the configured administrators (else IAM in this account). */
export function masterRoleTrust(
  partition: string,
  accountId: string,
  adminRoleArns: readonly string[],
): PolicyDocument {
  return policy({
    Sid: 'Administrators',
    Effect: 'Allow',
    Principal: {
      AWS: adminRoleArns.length > 0 ? [...adminRoleArns] : `arn:${partition}:iam::${accountId}:root`,
    },
    Action: 'sts:AssumeRole',
  });
}

/** The master role's own HTTP access to the domain (templates, ISM, role mappings). */
export function masterRolePolicy(domainArn: string): PolicyDocument {
  return policy({
    Sid: 'AdministerTheDomain',
    Effect: 'Allow',
    Action: 'es:ESHttp*',
    Resource: `${domainArn}/*`,
  });
}

/** Lets OpenSearch publish its slow and error logs into this account's domain log groups. */
export function logPublishingPolicy(
  partition: string,
  region: string,
  accountId: string,
  domainName: string,
): PolicyDocument {
  return policy({
    Sid: 'OpenSearchPublishesLogs',
    Effect: 'Allow',
    Principal: { Service: 'es.amazonaws.com' },
    Action: ['logs:PutLogEvents', 'logs:CreateLogStream'],
    Resource: `arn:${partition}:logs:${region}:${accountId}:log-group:/aws/opensearch/${domainName}/*`,
    Condition: {
      StringEquals: { 'aws:SourceAccount': accountId },
      ArnLike: { 'aws:SourceArn': `arn:${partition}:es:${region}:${accountId}:domain/${domainName}` },
    },
  });
}
