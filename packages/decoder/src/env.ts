/** Environment variables as a Lambda sees them. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Typed readers over environment variables, shared by every Lambda's `config.ts`. Unset or empty
 * means "use the default" (`undefined`); a malformed value throws the caller's error type with a
 * message naming the variable, so a bad deployment fails at cold start, not at the 10,000th record.
 */
export interface EnvReader {
  string(name: string): string | undefined;
  /** A positive safe integer (or ≥ 0 with `{ allowZero: true }`). */
  integer(name: string, options?: { readonly allowZero?: boolean }): number | undefined;
  boolean(name: string): boolean | undefined;
  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined;
  /** A JSON array of objects, each with the given string-valued keys. */
  jsonArray<T>(name: string, keys: readonly string[]): T[] | undefined;
  /** For a rule the readers above cannot express. */
  fail(message: string): never;
}

export function envReader(env: Env, makeError: (message: string) => Error): EnvReader {
  const fail = (message: string): never => {
    throw makeError(message);
  };
  const raw = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  return {
    fail,
    string: raw,
    integer(name, options) {
      const value = raw(name);
      if (value === undefined) return undefined;
      const number = Number(value);
      const min = options?.allowZero ? 0 : 1;
      if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < min) {
        fail(
          `${name} must be a ${options?.allowZero ? 'non-negative' : 'positive'} integer, got ${JSON.stringify(value)}`,
        );
      }
      return number;
    },
    boolean(name) {
      const value = raw(name);
      if (value === undefined) return undefined;
      if (value === 'true') return true;
      if (value === 'false') return false;
      return fail(`${name} must be true or false, got ${JSON.stringify(value)}`);
    },
    oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
      const value = raw(name);
      if (value === undefined) return undefined;
      if ((values as readonly string[]).includes(value)) return value as T;
      return fail(`${name} must be one of ${values.join(', ')}, got ${JSON.stringify(value)}`);
    },
    jsonArray<T>(name: string, keys: readonly string[]): T[] | undefined {
      const value = raw(name);
      if (value === undefined) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        return fail(`${name} must be JSON, got ${JSON.stringify(value.slice(0, 80))}`);
      }
      if (!Array.isArray(parsed)) return fail(`${name} must be a JSON array`);
      parsed.forEach((entry: unknown, i) => {
        const record = entry as Record<string, unknown> | null;
        for (const key of keys) {
          if (typeof record !== 'object' || record === null || typeof record[key] !== 'string') {
            fail(`${name}[${i}].${key} must be a string`);
          }
        }
      });
      return parsed as T[];
    },
  };
}
