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
  /** `value`: Low < 4 ≤ Medium < 7 ≤ High < 9 ≤ Critical (GuardDuty's own bands). */
  severity?: { code?: number; value?: 'Low' | 'Medium' | 'High' | 'Critical' };
  created_at?: string;
  updated_at?: string;
  resource?: { type?: string; id?: string };
  service?: {
    action?: { type?: string };
    resource_role?: string;
    count?: number;
    archived?: boolean;
    detector_id?: string;
    service_name?: string;
    /** `eventFirstSeen`/`eventLastSeen`, at the paths Elastic's `aws.guardduty` uses. */
    event?: { first_seen?: string; last_seen?: string };
  };
  /** The finding's `resource` and `service` objects; mapped as one `flat_object`. */
  flattened?: { resource?: Record<string, unknown>; service?: Record<string, unknown> };
}
