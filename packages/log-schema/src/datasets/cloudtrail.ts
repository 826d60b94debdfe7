/**
 * `aws.cloudtrail.*`. Free-form request/response payloads live only under `flattened.*`, which the
 * index template maps as one `flat_object` field: every leaf is searchable by its dotted path, and
 * no request shape can add a mapping (thousands of API shapes would otherwise explode it). The
 * whole record, as CloudTrail wrote it, is `event.original`.
 */
export interface CloudTrailFields {
  /** CloudTrail's `eventID` (ECS `event.id` is the pipeline's CloudWatch Logs event id). */
  event_id?: string;
  event_version?: string;
  event_type?: string;
  event_category?: string;
  management_event?: boolean;
  read_only?: boolean;
  recipient_account_id?: string;
  request_id?: string;
  shared_event_id?: string;
  api_version?: string;
  vpc_endpoint_id?: string;
  error_code?: string;
  error_message?: string;
  session_credential_from_console?: boolean;
  user_identity?: {
    type?: string;
    arn?: string;
    principal_id?: string;
    access_key_id?: string;
    account_id?: string;
    invoked_by?: string;
    identity_store_arn?: string;
    session_context?: {
      mfa_authenticated?: boolean;
      creation_date?: string;
      source_identity?: string;
      session_issuer?: {
        type?: string;
        principal_id?: string;
        arn?: string;
        account_id?: string;
        user_name?: string;
      };
    };
  };
  resources?: Array<{ arn?: string; type?: string; account_id?: string }>;
  tls_details?: { tls_version?: string; cipher_suite?: string; client_provided_host_header?: string };
  /** JSON, capped at 32 Ki characters (the whole record stays in `event.original`). */
  flattened?: {
    request_parameters?: Record<string, unknown>;
    response_elements?: Record<string, unknown>;
    additional_eventdata?: Record<string, unknown>;
    service_event_details?: Record<string, unknown>;
  };
  console_login?: {
    additional_eventdata?: { mfa_used?: boolean; mobile_version?: boolean; login_to?: string };
  };
}
