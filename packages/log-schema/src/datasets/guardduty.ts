/** `aws.guardduty.*`: finding fields that have no ECS home. Large nested parts stay JSON-bounded. */
export interface GuardDutyFields {
  schema_version?: string;
  account_id?: string;
  region?: string;
  partition?: string;
  id?: string;
  arn?: string;
  type?: string;
  title?: string;
  description?: string;
  severity?: { code?: number; value?: string };
  created_at?: string;
  updated_at?: string;
  resource?: { type?: string; id?: string };
  service?: {
    action?: { type?: string };
    resource_role?: string;
    count?: number;
    archived?: boolean;
    detector_id?: string;
    event_first_seen?: string;
    event_last_seen?: string;
  };
  /** The finding's `resource` and `service` objects; mapped as one `flat_object`. */
  flattened?: { resource?: Record<string, unknown>; service?: Record<string, unknown> };
}
