import type { Dataset } from './datasets.ts';

/**
 * The Elastic Common Schema field groups our documents use (ECS 8.x names and types).
 * Only fields some parser fills are declared; see https://www.elastic.co/guide/en/ecs/current/.
 * Timestamps are ISO-8601 strings in UTC; numbers are JSON numbers; ids are strings.
 */

export type EventOutcome = 'success' | 'failure' | 'unknown';

export interface EventFields {
  /** CloudWatch Logs event id: globally unique, stable across redelivery; the OpenSearch `_id`. */
  id: string;
  dataset: Dataset;
  kind?: 'event' | 'alert' | 'metric' | 'state';
  category?: string[];
  type?: string[];
  action?: string;
  outcome?: EventOutcome;
  provider?: string;
  module?: 'aws';
  /** The raw log message, kept unless the decoder is configured not to. */
  original?: string;
  start?: string;
  end?: string;
  /** Nanoseconds, as ECS defines it. */
  duration?: number;
  /** When CloudWatch Logs ingested the event, if known. */
  ingested?: string;
  created?: string;
  severity?: number;
  reason?: string;
  code?: string;
}

export interface CloudFields {
  provider: 'aws';
  account: { id: string; name?: string };
  region?: string;
  availability_zone?: string;
  instance?: { id?: string };
  machine?: { type?: string };
  service?: { name?: string };
  project?: { id?: string };
}

export interface EndpointFields {
  ip?: string;
  /** The address as the log wrote it: an IP, a hostname, or a service name like "AWS Internal". */
  address?: string;
  domain?: string;
  port?: number;
  bytes?: number;
  packets?: number;
}

export interface NetworkFields {
  transport?: string;
  iana_number?: string;
  type?: 'ipv4' | 'ipv6';
  protocol?: string;
  direction?: 'ingress' | 'egress' | 'inbound' | 'outbound' | 'internal' | 'external' | 'unknown';
  bytes?: number;
  packets?: number;
}

export interface UserFields {
  id?: string;
  name?: string;
  email?: string;
  domain?: string;
  roles?: string[];
  changes?: { name?: string };
  target?: { id?: string; name?: string };
}

export interface UserAgentFields {
  original?: string;
}

export interface DnsFields {
  id?: string;
  type?: 'query' | 'answer';
  response_code?: string;
  question?: {
    name?: string;
    type?: string;
    class?: string;
    registered_domain?: string;
    top_level_domain?: string;
    subdomain?: string;
  };
  answers?: Array<{ data?: string; type?: string; class?: string; name?: string; ttl?: number }>;
  resolved_ip?: string[];
}

export interface RuleFields {
  id?: string;
  name?: string;
  category?: string;
  ruleset?: string;
  uuid?: string;
  description?: string;
}

export interface HttpFields {
  version?: string;
  request?: { method?: string; bytes?: number; referrer?: string; id?: string };
  response?: { status_code?: number; bytes?: number };
}

export interface UrlFields {
  original?: string;
  path?: string;
  query?: string;
  domain?: string;
}

export interface ErrorFields {
  code?: string;
  message?: string;
  type?: string;
}

export interface LogFields {
  level?: string;
  logger?: string;
}

export interface ContainerFields {
  id?: string;
  name?: string;
  image?: { name?: string; tag?: string[] };
  runtime?: string;
}

export interface OrchestratorFields {
  type?: 'kubernetes' | 'ecs';
  cluster?: { name?: string; id?: string };
  namespace?: string;
  resource?: { name?: string; type?: string; id?: string };
  api_version?: string;
}

export interface HostFields {
  name?: string;
  hostname?: string;
  ip?: string[];
}

export interface ServiceFields {
  name?: string;
  type?: string;
}

export interface ProcessFields {
  name?: string;
  pid?: number;
  executable?: string;
}

export interface FaasFields {
  name?: string;
  version?: string;
  id?: string;
  execution?: string;
  coldstart?: boolean;
}

export interface TraceFields {
  id?: string;
}
