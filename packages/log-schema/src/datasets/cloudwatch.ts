/** `aws.cloudwatch.*`: where the event came from in CloudWatch Logs. Present on every document. */
export interface CloudWatchFields {
  log_group: string;
  log_stream: string;
  /** The account that owns the log group (the subscription payload's `owner`). */
  owner: string;
}
