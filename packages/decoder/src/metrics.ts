/**
 * CloudWatch Embedded Metric Format: one JSON log line that CloudWatch turns into metrics, with
 * no API call and no extra latency (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 */
export function emfLine(
  namespace: string,
  dimensions: Readonly<Record<string, string>>,
  counts: Readonly<Record<string, number>>,
  properties: Readonly<Record<string, unknown>> = {},
  now: number = Date.now(),
): string {
  return JSON.stringify({
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [Object.keys(dimensions)],
          Metrics: Object.keys(counts).map((Name) => ({ Name, Unit: 'Count' })),
        },
      ],
    },
    ...properties,
    ...dimensions,
    ...counts,
  });
}
