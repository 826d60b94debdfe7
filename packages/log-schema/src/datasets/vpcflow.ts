/**
 * `aws.vpcflow.*`: VPC and transit-gateway flow-log fields that have no ECS home, named after
 * the flow-log field names with `-` turned into `_` (as Elastic's AWS integration does).
 *
 * Fields with an ECS home are not repeated here: srcaddr/dstaddr/ports/bytes/packets go to
 * `source.*`/`destination.*`/`network.*`, start/end to `event.start`/`event.end`, region and
 * az-id to `cloud.*`, flow-direction to `network.direction`, reject-reason to `event.reason`,
 * ecs-cluster-*, ecs-container-instance-* and ecs-service-name to `orchestrator.*`/`service.name`.
 */
export interface VpcFlowFields {
  version?: string;
  account_id?: string;
  interface_id?: string;
  /** ACCEPT or REJECT. */
  action?: string;
  /** OK, NODATA or SKIPDATA. */
  log_status?: string;
  instance_id?: string;
  vpc_id?: string;
  subnet_id?: string;
  /** IPv4, IPv6 or EFA. */
  type?: string;
  pkt_srcaddr?: string;
  pkt_dstaddr?: string;
  /** pkt-src-aws-service, under Elastic's name. */
  pkt_src_service?: string;
  /** pkt-dst-aws-service, under Elastic's name. */
  pkt_dst_service?: string;
  traffic_path?: string;
  /** The raw tcp-flags bitmask, as written. */
  tcp_flags?: string;
  /** tcp-flags decoded: fin, syn, rst, psh, ack, urg (in bit order). */
  tcp_flags_array?: string[];
  sublocation?: { type?: string; id?: string };
  ecs_container_id?: string;
  ecs_second_container_id?: string;
  ecs_task_definition_arn?: string;
  ecs_task_arn?: string;
  ecs_task_id?: string;
  resource_type?: string;
  tgw_id?: string;
  tgw_attachment_id?: string;
  tgw_src_vpc_account_id?: string;
  tgw_dst_vpc_account_id?: string;
  tgw_src_vpc_id?: string;
  tgw_dst_vpc_id?: string;
  tgw_src_subnet_id?: string;
  tgw_dst_subnet_id?: string;
  tgw_src_eni?: string;
  tgw_dst_eni?: string;
  tgw_src_az_id?: string;
  tgw_dst_az_id?: string;
  tgw_pair_attachment_id?: string;
  packets_lost_no_route?: number;
  packets_lost_blackhole?: number;
  packets_lost_mtu_exceeded?: number;
  packets_lost_ttl_expired?: number;
}
