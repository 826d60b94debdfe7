import type { LogDocument } from './document.ts';

/**
 * The field catalogue: how every `LogDocument` field is indexed, as data, because TypeScript types
 * are erased at runtime. Its type is derived from `LogDocument`, so the two cannot drift: a field
 * added to the types without an entry here, an entry for a field the types do not have, or a kind
 * that does not fit the field's TypeScript type (`'long'` for a string) is a compile error.
 *
 * Kinds follow Elastic's ECS field definitions (https://www.elastic.co/guide/en/ecs/current/ecs-field-reference.html),
 * translated to what OpenSearch has; the index templates (`@central-logging/indexer`) turn each
 * kind into a mapping.
 */

/**
 * What a string field can be:
 * - `keyword`: exact values (ids, names, categories, hostnames);
 * - `text`: analysed prose (`message`; ECS's `match_only_text` does not exist in OpenSearch);
 * - `keyword_with_text`: exact value plus an analysed `<field>.text` sub-field, as ECS does for
 *   `user_agent.original`, `url.original`, `error.message`;
 * - `source_only`: kept in `_source` but neither indexed nor aggregatable (ECS `event.original`:
 *   the raw record is for reading and re-parsing, and indexing it would double the index);
 * - `ip`: an IPv4/IPv6 address (`*.ip`); `*.address` stays `keyword` because it may be a hostname
 *   or `AWS Internal`;
 * - `date`: an ISO-8601 time.
 */
export type StringFieldKind = 'keyword' | 'text' | 'keyword_with_text' | 'source_only' | 'ip' | 'date';

/** What a number field can be. ECS uses `long` for counts, ports, bytes and status codes. */
export type NumberFieldKind = 'long' | 'integer' | 'short' | 'float' | 'double';

/** Every kind a catalogue leaf can have. `flat_object` indexes a whole subtree as one field. */
export type FieldKind = StringFieldKind | NumberFieldKind | 'boolean' | 'flat_object';

/**
 * The kinds a value of TypeScript type `V` may take. Tuple-wrapped so unions of literals
 * (`'success' | 'failure'`, `boolean`) are judged as a whole rather than member by member.
 * - arrays map like their element (OpenSearch has no array type);
 * - an object with an index signature (`Record<string, unknown>`) is free-form: only `flat_object`,
 *   so no payload shape can add mappings;
 * - an object with declared keys recurses, or is collapsed into one `flat_object` on purpose;
 * - anything else (`unknown`, `null`) has no kind, so it cannot be catalogued until typed.
 */
type KindsFor<V> = [V] extends [readonly (infer E)[]]
  ? KindsFor<E>
  : [V] extends [string]
    ? StringFieldKind
    : [V] extends [number]
      ? NumberFieldKind
      : [V] extends [boolean]
        ? 'boolean'
        : [V] extends [object]
          ? string extends keyof V
            ? 'flat_object'
            : FieldMapping<V> | 'flat_object'
          : never;

/** A catalogue for `T`: an entry for every key of `T`, optional ones included (`-?`). */
export type FieldMapping<T> = { readonly [K in keyof T]-?: KindsFor<NonNullable<T[K]>> };

/** Any catalogue subtree, as code that walks it without knowing which type it describes sees it. */
export interface FieldTree {
  readonly [key: string]: FieldKind | FieldTree;
}

/** How every field of {@link LogDocument} is indexed. */
export const LOG_DOCUMENT_FIELDS = {
  '@timestamp': 'date',
  message: 'text',
  tags: 'keyword',
  event: {
    id: 'keyword',
    dataset: 'keyword',
    kind: 'keyword',
    category: 'keyword',
    type: 'keyword',
    action: 'keyword',
    outcome: 'keyword',
    provider: 'keyword',
    module: 'keyword',
    original: 'source_only',
    start: 'date',
    end: 'date',
    duration: 'long',
    ingested: 'date',
    created: 'date',
    severity: 'long',
    reason: 'keyword',
    code: 'keyword',
  },
  cloud: {
    provider: 'keyword',
    account: { id: 'keyword', name: 'keyword' },
    region: 'keyword',
    availability_zone: 'keyword',
    instance: { id: 'keyword' },
    machine: { type: 'keyword' },
    service: { name: 'keyword' },
    project: { id: 'keyword' },
  },
  aws: {
    cloudwatch: { log_group: 'keyword', log_stream: 'keyword', owner: 'keyword' },
    vpcflow: {
      version: 'keyword',
      account_id: 'keyword',
      interface_id: 'keyword',
      action: 'keyword',
      log_status: 'keyword',
      instance_id: 'keyword',
      vpc_id: 'keyword',
      subnet_id: 'keyword',
      type: 'keyword',
      pkt_srcaddr: 'ip',
      pkt_dstaddr: 'ip',
      pkt_src_service: 'keyword',
      pkt_dst_service: 'keyword',
      traffic_path: 'keyword',
      tcp_flags: 'keyword',
      tcp_flags_array: 'keyword',
      sublocation: { type: 'keyword', id: 'keyword' },
      ecs_container_id: 'keyword',
      ecs_second_container_id: 'keyword',
      ecs_task_definition_arn: 'keyword',
      ecs_task_arn: 'keyword',
      ecs_task_id: 'keyword',
      resource_type: 'keyword',
      tgw_id: 'keyword',
      tgw_attachment_id: 'keyword',
      tgw_src_vpc_account_id: 'keyword',
      tgw_dst_vpc_account_id: 'keyword',
      tgw_src_vpc_id: 'keyword',
      tgw_dst_vpc_id: 'keyword',
      tgw_src_subnet_id: 'keyword',
      tgw_dst_subnet_id: 'keyword',
      tgw_src_eni: 'keyword',
      tgw_dst_eni: 'keyword',
      tgw_src_az_id: 'keyword',
      tgw_dst_az_id: 'keyword',
      tgw_pair_attachment_id: 'keyword',
      packets_lost_no_route: 'long',
      packets_lost_blackhole: 'long',
      packets_lost_mtu_exceeded: 'long',
      packets_lost_ttl_expired: 'long',
    },
    cloudtrail: {
      event_id: 'keyword',
      event_version: 'keyword',
      event_type: 'keyword',
      event_category: 'keyword',
      management_event: 'boolean',
      read_only: 'boolean',
      recipient_account_id: 'keyword',
      request_id: 'keyword',
      shared_event_id: 'keyword',
      api_version: 'keyword',
      vpc_endpoint_id: 'keyword',
      error_code: 'keyword',
      error_message: 'keyword',
      session_credential_from_console: 'boolean',
      user_identity: {
        type: 'keyword',
        arn: 'keyword',
        principal_id: 'keyword',
        access_key_id: 'keyword',
        account_id: 'keyword',
        invoked_by: 'keyword',
        identity_store_arn: 'keyword',
        session_context: {
          mfa_authenticated: 'boolean',
          creation_date: 'date',
          source_identity: 'keyword',
          session_issuer: {
            type: 'keyword',
            principal_id: 'keyword',
            arn: 'keyword',
            account_id: 'keyword',
            user_name: 'keyword',
          },
        },
      },
      resources: { arn: 'keyword', type: 'keyword', account_id: 'keyword' },
      tls_details: {
        tls_version: 'keyword',
        cipher_suite: 'keyword',
        client_provided_host_header: 'keyword',
      },
      // Request/response payloads of thousands of API shapes: one field, searchable by path.
      flattened: 'flat_object',
      console_login: {
        additional_eventdata: { mfa_used: 'boolean', mobile_version: 'boolean', login_to: 'keyword' },
      },
    },
    guardduty: {
      schema_version: 'keyword',
      account_id: 'keyword',
      region: 'keyword',
      partition: 'keyword',
      id: 'keyword',
      arn: 'keyword',
      type: 'keyword',
      title: 'keyword_with_text',
      description: 'keyword_with_text',
      // GuardDuty severities are decimals (5.5, 8.0).
      severity: { code: 'float', value: 'keyword' },
      created_at: 'date',
      updated_at: 'date',
      resource: { type: 'keyword', id: 'keyword' },
      service: {
        action: { type: 'keyword' },
        resource_role: 'keyword',
        count: 'long',
        archived: 'boolean',
        detector_id: 'keyword',
        service_name: 'keyword',
        event: { first_seen: 'date', last_seen: 'date' },
      },
      // A finding's resource/service objects differ per finding type: one field, as for CloudTrail.
      flattened: 'flat_object',
    },
    route53_resolver: {
      version: 'keyword',
      vpc_id: 'keyword',
      query_class: 'keyword',
      rcode: 'keyword',
      transport: 'keyword',
      srcids: { instance: 'keyword', resolver_endpoint: 'keyword', resolver_network_interface: 'keyword' },
      firewall: { rule_group_id: 'keyword', rule_action: 'keyword', domain_list_id: 'keyword' },
      edge_location: 'keyword',
      resolver_ip: 'ip',
    },
    lambda: {
      record_type: 'keyword',
      request_id: 'keyword',
      version: 'keyword',
      runtime_version: 'keyword',
      status: 'keyword',
      error_type: 'keyword',
      // REPORT durations have two decimals and reach 900,000 ms: float's 24-bit mantissa would round them.
      duration_ms: 'double',
      billed_duration_ms: 'long',
      init_duration_ms: 'double',
      restore_duration_ms: 'double',
      memory_size_mb: 'long',
      max_memory_used_mb: 'long',
      xray: { trace_id: 'keyword', segment_id: 'keyword', sampled: 'boolean' },
    },
    container: {
      stream: 'keyword',
      time: 'date',
      kubernetes: {
        pod_name: 'keyword',
        namespace_name: 'keyword',
        pod_id: 'keyword',
        host: 'keyword',
        container_name: 'keyword',
        docker_id: 'keyword',
        container_image: 'keyword',
        // Label keys are chosen by every team that deploys: one field, like CloudTrail payloads.
        labels: 'flat_object',
      },
      ecs: { cluster: 'keyword', task_arn: 'keyword', task_definition: 'keyword', container_name: 'keyword' },
      access_log_format: 'keyword',
      response_time_ms: 'double',
    },
  },
  source: { ip: 'ip', address: 'keyword', domain: 'keyword', port: 'long', bytes: 'long', packets: 'long' },
  destination: {
    ip: 'ip',
    address: 'keyword',
    domain: 'keyword',
    port: 'long',
    bytes: 'long',
    packets: 'long',
  },
  network: {
    transport: 'keyword',
    iana_number: 'keyword',
    type: 'keyword',
    protocol: 'keyword',
    direction: 'keyword',
    bytes: 'long',
    packets: 'long',
  },
  user: {
    id: 'keyword',
    name: 'keyword',
    email: 'keyword',
    domain: 'keyword',
    roles: 'keyword',
    changes: { name: 'keyword' },
    target: { id: 'keyword', name: 'keyword' },
  },
  user_agent: { original: 'keyword_with_text' },
  dns: {
    id: 'keyword',
    type: 'keyword',
    response_code: 'keyword',
    question: {
      name: 'keyword',
      type: 'keyword',
      class: 'keyword',
      registered_domain: 'keyword',
      top_level_domain: 'keyword',
      subdomain: 'keyword',
    },
    answers: { data: 'keyword', type: 'keyword', class: 'keyword', name: 'keyword', ttl: 'long' },
    resolved_ip: 'ip',
  },
  rule: {
    id: 'keyword',
    name: 'keyword',
    category: 'keyword',
    ruleset: 'keyword',
    uuid: 'keyword',
    description: 'keyword',
  },
  http: {
    version: 'keyword',
    request: { method: 'keyword', bytes: 'long', referrer: 'keyword', id: 'keyword' },
    response: { status_code: 'long', bytes: 'long' },
  },
  url: { original: 'keyword_with_text', path: 'keyword', query: 'keyword', domain: 'keyword' },
  error: { code: 'keyword', message: 'keyword_with_text', type: 'keyword' },
  log: { level: 'keyword', logger: 'keyword' },
  container: {
    id: 'keyword',
    name: 'keyword',
    image: { name: 'keyword', tag: 'keyword' },
    runtime: 'keyword',
  },
  orchestrator: {
    type: 'keyword',
    cluster: { name: 'keyword', id: 'keyword' },
    namespace: 'keyword',
    resource: { name: 'keyword', type: 'keyword', id: 'keyword' },
    api_version: 'keyword',
  },
  host: { name: 'keyword', hostname: 'keyword', ip: 'ip' },
  service: { name: 'keyword', type: 'keyword' },
  process: { name: 'keyword', pid: 'long', executable: 'keyword' },
  faas: { name: 'keyword', version: 'keyword', id: 'keyword', execution: 'keyword', coldstart: 'boolean' },
  trace: { id: 'keyword' },
} as const satisfies FieldMapping<LogDocument>;

/** One catalogue leaf: its dotted path in the document and its kind. */
export interface CatalogueField {
  readonly path: string;
  readonly kind: FieldKind;
}

/** Every leaf of `tree` (by default the whole catalogue) in declaration order, paths below `prefix`. */
export function catalogueFields(tree: FieldTree = LOG_DOCUMENT_FIELDS, prefix = ''): CatalogueField[] {
  const fields: CatalogueField[] = [];
  for (const [key, node] of Object.entries(tree)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (typeof node === 'string') fields.push({ path, kind: node });
    else fields.push(...catalogueFields(node, path));
  }
  return fields;
}
