import { keyUse, type Statement } from '../policy-document.ts';

export interface IndexerAccessInputs {
  readonly domainArn: string;
  readonly bucketArn: string;
  readonly deadLetterPrefix: string;
  readonly keyArn: string;
  readonly homeRegion: string;
}

/**
 * The indexer writes documents to its domain (bulk, and index creation on a new day) and dead
 * letters under one prefix of the archive bucket. It cannot read the archive or another domain.
 */
export function indexerStatements(inputs: IndexerAccessInputs): Statement[] {
  return [
    {
      Sid: 'WriteToTheDomain',
      Effect: 'Allow',
      Action: ['es:ESHttpPost', 'es:ESHttpPut'],
      Resource: `${inputs.domainArn}/*`,
    },
    {
      Sid: 'WriteDeadLetters',
      Effect: 'Allow',
      Action: 's3:PutObject',
      Resource: `${inputs.bucketArn}/${inputs.deadLetterPrefix}*`,
    },
    keyUse(
      'EncryptDeadLetters',
      inputs.keyArn,
      { service: 's3', region: inputs.homeRegion, bucketArn: inputs.bucketArn },
      ['kms:GenerateDataKey'],
    ),
  ];
}
