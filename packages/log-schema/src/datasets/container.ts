/** `aws.container.*`: what a container log line carried besides the message. */
export interface ContainerLogFields {
  /** stdout or stderr. */
  stream?: string;
  /** The log shipper's record time, when it differs from the CloudWatch event time. */
  time?: string;
  kubernetes?: {
    pod_name?: string;
    namespace_name?: string;
    pod_id?: string;
    host?: string;
    container_name?: string;
    docker_id?: string;
    container_image?: string;
    labels?: Record<string, string>;
  };
  ecs?: { cluster?: string; task_arn?: string; task_definition?: string; container_name?: string };
  /** Which access-log format matched the message, if any: `nginx_combined`, `uwsgi`, … */
  access_log_format?: string;
  /**
   * The access line's response time in milliseconds (also in ECS `event.duration`, in ns), so
   * threshold rules can compare with the number an operator reads in the log.
   */
  response_time_ms?: number;
}
