import { isIP } from 'node:net';
import type { CloudTrailFields, EventFields } from '@central-logging/log-schema';
import {
  asArray,
  asBoolean,
  asEpochMillis,
  asIsoTimestamp,
  asRecord,
  asString,
  isRecord,
  MAX_PAYLOAD_DEPTH,
  parseJsonOnce,
  setString,
  TOO_DEEP,
  withoutEmpty,
} from './json-fields.ts';
import type { JsonRecord } from './json-fields.ts';
import { parseFailure } from './types.ts';
import type { ParseContext, ParsedFields, ParseOutput, ParseResult } from './types.ts';

/**
 * CloudTrail events: one event per log event (CloudTrail → CloudWatch Logs), or a
 * `{"Records":[…]}` file (the S3 delivery shape). Record fields:
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 * The mapping follows Elastic's `aws.cloudtrail` ingest pipeline (elastic/integrations
 * packages/aws/data_stream/cloudtrail) so rules written for it read our documents the same way.
 */

const DATASET = 'aws.cloudtrail';

/** True when `json` looks like a CloudTrail event or a `{"Records":[…]}` file of them. */
export function isCloudTrailRecord(json: unknown): boolean {
  if (!isRecord(json)) return false;
  const records = json['Records'];
  if (Array.isArray(records)) return records.length > 0 && looksLikeEvent(records[0]);
  return looksLikeEvent(json);
}

// S3, SQS, DynamoDB and Kinesis notifications also carry eventVersion/eventSource/eventName, but
// their eventSource is "aws:s3" etc.; CloudTrail's is a service endpoint ("s3.amazonaws.com").
function looksLikeEvent(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const source = value['eventSource'];
  return (
    typeof value['eventVersion'] === 'string' &&
    typeof value['eventName'] === 'string' &&
    typeof source === 'string' &&
    !source.startsWith('aws:')
  );
}

/** Parses one CloudTrail event, or every record of a `{"Records":[…]}` file. */
export function parseCloudTrail(message: string, ctx: ParseContext, json?: unknown): ParseOutput {
  // ctx is unused: every record names its own account (recipientAccountId) and region.
  void ctx;
  const parsed = parseJsonOnce(message, json);
  if (!parsed.ok) return parseFailure('cloudtrail: message is not JSON');
  const value = parsed.value;
  if (!isRecord(value)) return parseFailure('cloudtrail: message is not a JSON object');
  const records = value['Records'];
  if (records !== undefined && value['eventName'] === undefined) {
    if (!Array.isArray(records)) return parseFailure('cloudtrail: Records is not an array');
    return records.map(parseEvent);
  }
  return parseEvent(value);
}

function parseEvent(value: unknown): ParseResult {
  if (!isRecord(value)) return parseFailure('cloudtrail: record is not a JSON object');
  const eventName = asString(value['eventName']);
  const eventSource = asString(value['eventSource']);
  if (eventName === undefined || eventSource === undefined) {
    return parseFailure('cloudtrail: record lacks eventName or eventSource');
  }

  const identity = asRecord(value['userIdentity']);
  const errorCode = asString(value['errorCode']);
  const errorMessage = asString(value['errorMessage']);
  const responseElements = asRecord(value['responseElements']);
  let additionalEventData = asRecord(value['additionalEventData']);

  const event: ParsedFields['event'] = {
    kind: 'event',
    action: eventName,
    provider: eventSource,
    outcome: outcomeOf(eventName, errorCode, responseElements),
    ...categorize(eventName),
  };
  const fields: ParsedFields = { event };

  const recipientAccountId = asString(value['recipientAccountId']);
  const accountId = recipientAccountId ?? asString(identity?.['accountId']);
  const region = asString(value['awsRegion']);
  if (accountId !== undefined || region !== undefined) {
    fields.cloud = {};
    if (accountId !== undefined) fields.cloud.account = { id: accountId };
    if (region !== undefined) fields.cloud.region = region;
  }

  const sourceAddress = asString(value['sourceIPAddress']);
  if (sourceAddress !== undefined) {
    // sourceIPAddress is an IP, or a service name ("ec2.amazonaws.com", "AWS Internal").
    fields.source =
      isIP(sourceAddress) === 0 ? { address: sourceAddress } : { address: sourceAddress, ip: sourceAddress };
  }
  const userAgent = asString(value['userAgent']);
  if (userAgent !== undefined) fields.user_agent = { original: userAgent };

  if (errorCode !== undefined || errorMessage !== undefined) {
    fields.error = {};
    if (errorCode !== undefined) fields.error.code = errorCode;
    if (errorMessage !== undefined) fields.error.message = errorMessage;
  }

  // IAM Identity Center sign-ins name the user only in additionalEventData.UserName; Elastic moves
  // it to user.name (and out of additional_eventdata), so do we.
  let userName = identity === undefined ? undefined : userNameOf(identity);
  const eventDataUserName = asString(additionalEventData?.['UserName']);
  if (userName === undefined && eventDataUserName !== undefined && additionalEventData !== undefined) {
    userName = eventDataUserName;
    const { UserName: _moved, ...rest } = additionalEventData;
    additionalEventData = rest;
  }
  const userId = asString(identity?.['principalId']);
  if (userName !== undefined || userId !== undefined) {
    fields.user = {};
    if (userId !== undefined) fields.user.id = userId;
    if (userName !== undefined) {
      fields.user.name = userName;
      if (EMAIL.test(userName)) fields.user.email = userName;
    }
  }

  const trail: CloudTrailFields = {};
  setString(trail, 'event_id', value['eventID']);
  setString(trail, 'event_version', value['eventVersion']);
  setString(trail, 'event_type', value['eventType']);
  setString(trail, 'event_category', value['eventCategory']);
  setString(trail, 'request_id', value['requestID']);
  setString(trail, 'shared_event_id', value['sharedEventID']);
  setString(trail, 'api_version', value['apiVersion']);
  setString(trail, 'vpc_endpoint_id', value['vpcEndpointId']);
  setString(trail, 'error_code', errorCode);
  setString(trail, 'error_message', errorMessage);
  if (recipientAccountId !== undefined) trail.recipient_account_id = recipientAccountId;
  const managementEvent = asBoolean(value['managementEvent']);
  if (managementEvent !== undefined) trail.management_event = managementEvent;
  const readOnly = asBoolean(value['readOnly']);
  if (readOnly !== undefined) trail.read_only = readOnly;
  const fromConsole = asBoolean(value['sessionCredentialFromConsole']);
  if (fromConsole !== undefined) trail.session_credential_from_console = fromConsole;
  if (identity !== undefined) {
    const userIdentity = userIdentityOf(identity);
    if (userIdentity !== undefined) trail.user_identity = userIdentity;
  }
  const resources = resourcesOf(value['resources']);
  if (resources !== undefined) trail.resources = resources;
  const tls = tlsDetailsOf(asRecord(value['tlsDetails']));
  if (tls !== undefined) trail.tls_details = tls;
  if (eventName === 'ConsoleLogin' && additionalEventData !== undefined) {
    trail.console_login = { additional_eventdata: consoleLoginDataOf(additionalEventData) };
  }

  // Payloads go under flattened.* only, which the index maps as one flat_object field: every leaf
  // is searchable by path, yet no request shape can add a mapping. Elastic also writes each as a
  // Java-Map string ("{ConsoleLogin=Success}"); we do not: it doubled the document for text
  // that event.original already holds whole.
  const flattened: NonNullable<CloudTrailFields['flattened']> = {};
  const payloads = [
    ['request_parameters', value['requestParameters']],
    ['response_elements', value['responseElements']],
    ['additional_eventdata', additionalEventData],
    ['service_event_details', value['serviceEventDetails']],
  ] as const;
  for (const [key, payload] of payloads) {
    if (payload === undefined || payload === null) continue;
    const pruned = withoutEmpty(payload);
    if (pruned === TOO_DEEP)
      return parseFailure(`cloudtrail: ${key} nests deeper than ${MAX_PAYLOAD_DEPTH} levels`);
    if (isRecord(pruned)) flattened[key] = pruned;
  }
  if (Object.keys(flattened).length > 0) trail.flattened = flattened;
  fields.aws = { cloudtrail: trail };

  return { dataset: DATASET, timestamp: asEpochMillis(value['eventTime']), fields };
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function outcomeOf(
  eventName: string,
  errorCode: string | undefined,
  response: JsonRecord | undefined,
): 'success' | 'failure' {
  if (errorCode !== undefined) return 'failure';
  // A failed console sign-in has no errorCode: responseElements says {"ConsoleLogin": "Failure"}.
  if (eventName === 'ConsoleLogin' && response?.['ConsoleLogin'] === 'Failure') return 'failure';
  return 'success';
}

/**
 * ECS category/type for the event names whose meaning is unambiguous, as in Elastic's pipeline;
 * everything else is `type: ["info"]` without a category.
 */
function categorize(eventName: string): Pick<EventFields, 'category' | 'type'> {
  const known = CATEGORIES[eventName];
  if (known !== undefined) return { category: [known[0]], type: [known[1]] };
  return { type: ['info'] };
}

const CATEGORIES: Readonly<Record<string, readonly [string, string]>> = {
  ConsoleLogin: ['authentication', 'info'],
  AssumeRole: ['authentication', 'info'],
  AssumeRoleWithSAML: ['authentication', 'info'],
  AssumeRoleWithWebIdentity: ['authentication', 'info'],
  GetFederationToken: ['authentication', 'info'],
  GetSessionToken: ['authentication', 'info'],
  StartSession: ['session', 'start'],
  ResumeSession: ['session', 'start'],
  TerminateSession: ['session', 'end'],
  PutObject: ['file', 'change'],
  AuthorizeSecurityGroupIngress: ['network', 'access'],
  AuthorizeSecurityGroupEgress: ['network', 'access'],
};

/**
 * user.name as Elastic derives it: the IAM user's name; for an assumed role the role's name (the
 * session issuer); otherwise the last part of the ARN (`…:root` → "root").
 */
function userNameOf(identity: JsonRecord): string | undefined {
  const type = identity['type'];
  if (type === 'AssumedRole') {
    const issuer = asRecord(asRecord(identity['sessionContext'])?.['sessionIssuer']);
    const issuerName = asString(issuer?.['userName']);
    if (issuerName !== undefined) return issuerName;
  }
  const name = asString(identity['userName']);
  if (name !== undefined) return name;
  const arn = asString(identity['arn']);
  if (arn === undefined) return undefined;
  const last = arn.slice(Math.max(arn.lastIndexOf('/'), arn.lastIndexOf(':')) + 1);
  return last === '' ? undefined : last;
}

type UserIdentity = NonNullable<CloudTrailFields['user_identity']>;
type SessionIssuer = NonNullable<NonNullable<UserIdentity['session_context']>['session_issuer']>;

/**
 * aws.cloudtrail.user_identity: like Elastic, without what went to ECS (principalId → user.id,
 * userName → user.name). accountId is kept: the caller's account differs from the recipient
 * account (cloud.account.id) in cross-account calls, and Elastic's dropping it loses that.
 */
function userIdentityOf(identity: JsonRecord): UserIdentity | undefined {
  const result: UserIdentity = {};
  setString(result, 'type', identity['type']);
  setString(result, 'arn', identity['arn']);
  setString(result, 'access_key_id', identity['accessKeyId']);
  setString(result, 'account_id', identity['accountId']);
  setString(result, 'invoked_by', identity['invokedBy']);
  setString(result, 'identity_store_arn', asRecord(identity['onBehalfOf'])?.['identityStoreArn']);
  const session = asRecord(identity['sessionContext']);
  if (session !== undefined) {
    const context: NonNullable<UserIdentity['session_context']> = {};
    const attributes = asRecord(session['attributes']);
    const mfa = asBoolean(attributes?.['mfaAuthenticated']);
    if (mfa !== undefined) context.mfa_authenticated = mfa;
    const created = asIsoTimestamp(attributes?.['creationDate']);
    if (created !== undefined) context.creation_date = created;
    setString(context, 'source_identity', session['sourceIdentity']);
    const issuer = asRecord(session['sessionIssuer']);
    if (issuer !== undefined) {
      const sessionIssuer: SessionIssuer = {};
      setString(sessionIssuer, 'type', issuer['type']);
      setString(sessionIssuer, 'principal_id', issuer['principalId']);
      setString(sessionIssuer, 'arn', issuer['arn']);
      setString(sessionIssuer, 'account_id', issuer['accountId']);
      if (Object.keys(sessionIssuer).length > 0) context.session_issuer = sessionIssuer;
    }
    if (Object.keys(context).length > 0) result.session_context = context;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

function resourcesOf(value: unknown): CloudTrailFields['resources'] {
  const items = asArray(value);
  if (items === undefined) return undefined;
  const resources: NonNullable<CloudTrailFields['resources']> = [];
  for (const item of items) {
    const resource = asRecord(item);
    if (resource === undefined) continue;
    const entry: { arn?: string; type?: string; account_id?: string } = {};
    setString(entry, 'arn', resource['ARN']);
    setString(entry, 'type', resource['type']);
    setString(entry, 'account_id', resource['accountId']);
    resources.push(entry);
  }
  return resources.length > 0 ? resources : undefined;
}

function tlsDetailsOf(tls: JsonRecord | undefined): CloudTrailFields['tls_details'] {
  if (tls === undefined) return undefined;
  const result: NonNullable<CloudTrailFields['tls_details']> = {};
  setString(result, 'tls_version', tls['tlsVersion']);
  setString(result, 'cipher_suite', tls['cipherSuite']);
  setString(result, 'client_provided_host_header', tls['clientProvidedHostHeader']);
  return Object.keys(result).length > 0 ? result : undefined;
}

// ConsoleLogin's additionalEventData says "Yes"/"No"; Elastic turns MFAUsed/MobileVersion into booleans.
function consoleLoginDataOf(data: JsonRecord): {
  mfa_used?: boolean;
  mobile_version?: boolean;
  login_to?: string;
} {
  const result: { mfa_used?: boolean; mobile_version?: boolean; login_to?: string } = {};
  const mfa = yesNo(data['MFAUsed']);
  if (mfa !== undefined) result.mfa_used = mfa;
  const mobile = yesNo(data['MobileVersion']);
  if (mobile !== undefined) result.mobile_version = mobile;
  setString(result, 'login_to', data['LoginTo']);
  return result;
}

function yesNo(value: unknown): boolean | undefined {
  if (value === 'Yes') return true;
  if (value === 'No') return false;
  return undefined;
}
