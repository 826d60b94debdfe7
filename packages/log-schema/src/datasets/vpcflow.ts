/**
 * `aws.vpcflow.*`: VPC and transit-gateway flow-log fields that have no ECS home, named after
 * the flow-log field names with `-` turned into `_` (as Elastic's AWS integration does).
 */
export interface VpcFlowFields {
  version?: string;
  account_id?: string;
  interface_id?: string;
  action?: string;
  log_status?: string;
  instance_id?: string;
  vpc_id?: string;
  subnet_id?: string;
  type?: string;
  pkt_srcaddr?: string;
  pkt_dstaddr?: string;
  pkt_src_aws_service?: string;
  pkt_dst_aws_service?: string;
  flow_direction?: string;
  traffic_path?: string;
  tcp_flags?: string;
  tcp_flags_array?: string[];
  sublocation_type?: string;
  sublocation_id?: string;
  ecs_cluster_arn?: string;
  ecs_cluster_name?: string;
  ecs_container_instance_arn?: string;
  ecs_container_instance_id?: string;
  ecs_container_id?: string;
  ecs_second_container_id?: string;
  ecs_service_name?: string;
  ecs_task_definition_arn?: string;
  ecs_task_arn?: string;
  ecs_task_id?: string;
  reject_reason?: string;
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
