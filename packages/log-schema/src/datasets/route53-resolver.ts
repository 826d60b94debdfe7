/** `aws.route53_resolver.*`: Resolver query-log fields that have no ECS home. */
export interface Route53ResolverFields {
  version?: string;
  vpc_id?: string;
  query_class?: string;
  rcode?: string;
  transport?: string;
  srcids?: { instance?: string; resolver_endpoint?: string; resolver_network_interface?: string };
  firewall?: { rule_group_id?: string; rule_action?: string; domain_list_id?: string };
  edge_location?: string;
  resolver_ip?: string;
}
