/** Severity of a log line; ERROR means data loss or operator action. */
export type Level = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A structured logger: one JSON object per line, short message, variables in fields. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Creates a logger that writes JSON lines (CloudWatch Logs parses them) at or above `level`. */
export function createLogger(
  service: string,
  level: Level = 'info',
  write: (line: string) => void = (line) => process.stdout.write(line + '\n'),
): Logger {
  const emit = (at: Level, message: string, fields?: Record<string, unknown>): void => {
    if (ORDER[at] < ORDER[level]) return;
    write(
      JSON.stringify({
        level: at.toUpperCase(),
        service,
        message,
        timestamp: new Date().toISOString(),
        ...fields,
      }),
    );
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/** Reads `LOG_LEVEL`, defaulting to info. */
export function levelFromEnv(raw: string | undefined): Level {
  const value = (raw ?? 'info').toLowerCase();
  return value in ORDER ? (value as Level) : 'info';
}
