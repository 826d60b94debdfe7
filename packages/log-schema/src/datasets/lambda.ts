/** `aws.lambda.*`: Lambda platform records (START/END/REPORT, `platform.*` JSON). Durations in ms. */
export interface LambdaFields {
  /** START, END, REPORT, INIT_START, `platform.report`, … */
  record_type?: string;
  request_id?: string;
  version?: string;
  /** INIT_START's `Runtime Version`, e.g. `nodejs:20.v13`. */
  runtime_version?: string;
  status?: string;
  error_type?: string;
  duration_ms?: number;
  billed_duration_ms?: number;
  init_duration_ms?: number;
  restore_duration_ms?: number;
  memory_size_mb?: number;
  max_memory_used_mb?: number;
  xray?: { trace_id?: string; segment_id?: string; sampled?: boolean };
}
