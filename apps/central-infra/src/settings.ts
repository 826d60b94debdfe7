/**
 * A small reader over untyped stack configuration: each method names the full key path
 * (`central-infra:stream.retentionHours`) in its message and records the problem instead of
 * throwing, so one run reports every mistake in the stack file at once.
 */
export class ConfigProblems {
  readonly problems: string[] = [];

  constructor(private readonly namespace: string) {}

  /** `central-infra:a.b[2].c` for a path inside the namespace. */
  key(path: string): string {
    return `${this.namespace}:${path}`;
  }

  add(path: string, message: string): void {
    this.problems.push(`${this.key(path)}: ${message}`);
  }
}

/** A path into a config value and the value found there. */
export interface Field {
  readonly path: string;
  readonly value: unknown;
}

export function field(path: string, value: unknown): Field {
  return { path, value };
}

/** The member `name` of an object field (absent when the field is not an object). */
export function member(parent: Field, name: string): Field {
  const object = parent.value;
  const value =
    typeof object === 'object' && object !== null && !Array.isArray(object)
      ? (object as Record<string, unknown>)[name]
      : undefined;
  return { path: parent.path === '' ? name : `${parent.path}.${name}`, value };
}

/** Typed readers: each returns the default (or undefined) after recording a problem. */
export function readers(problems: ConfigProblems) {
  const absent = (f: Field): boolean => f.value === undefined || f.value === null;
  const describe = (value: unknown): string => JSON.stringify(value) ?? String(value);

  return {
    /** An object whose keys must all be known; unknown keys are typos, reported with the known ones. */
    object(f: Field, known: readonly string[], required = false): boolean {
      if (absent(f)) {
        if (required) problems.add(f.path, 'is required');
        return false;
      }
      if (typeof f.value !== 'object' || Array.isArray(f.value)) {
        problems.add(f.path, `must be an object, got ${describe(f.value)}`);
        return false;
      }
      for (const key of Object.keys(f.value as object)) {
        if (!known.includes(key)) {
          problems.add(
            f.path === '' ? key : `${f.path}.${key}`,
            `is not a known setting (known: ${known.join(', ')})`,
          );
        }
      }
      return true;
    },

    string(
      f: Field,
      options: { pattern?: RegExp; hint?: string; fallback?: string } = {},
    ): string | undefined {
      if (absent(f)) return options.fallback;
      if (typeof f.value !== 'string' || (options.pattern && !options.pattern.test(f.value))) {
        problems.add(f.path, `must be ${options.hint ?? 'a string'}, got ${describe(f.value)}`);
        return options.fallback;
      }
      return f.value;
    },

    requiredString(f: Field, options: { pattern?: RegExp; hint?: string } = {}): string {
      if (absent(f)) {
        problems.add(f.path, `is required (${options.hint ?? 'a string'})`);
        return '';
      }
      return this.string(f, options) ?? '';
    },

    /** A number in [min, max]; integers unless `integer: false`. Numeric strings are accepted. */
    number(
      f: Field,
      options: { min: number; max: number; fallback: number; integer?: boolean; unit?: string },
    ): number {
      if (absent(f)) return options.fallback;
      const value = typeof f.value === 'string' && f.value.trim() !== '' ? Number(f.value) : f.value;
      const integer = options.integer ?? true;
      if (
        typeof value !== 'number' ||
        !Number.isFinite(value) ||
        (integer && !Number.isInteger(value)) ||
        value < options.min ||
        value > options.max
      ) {
        const unit = options.unit ? ` ${options.unit}` : '';
        problems.add(
          f.path,
          `must be ${integer ? 'an integer' : 'a number'} from ${options.min} to ${options.max}${unit}, got ${describe(f.value)}`,
        );
        return options.fallback;
      }
      return value;
    },

    optionalNumber(
      f: Field,
      options: { min: number; max: number; integer?: boolean; unit?: string },
    ): number | undefined {
      if (absent(f)) return undefined;
      return this.number(f, { ...options, fallback: options.min });
    },

    boolean(f: Field, fallback: boolean): boolean {
      if (absent(f)) return fallback;
      if (f.value === true || f.value === 'true') return true;
      if (f.value === false || f.value === 'false') return false;
      problems.add(f.path, `must be true or false, got ${describe(f.value)}`);
      return fallback;
    },

    oneOf<T extends string>(f: Field, values: readonly T[], fallback: T): T {
      if (absent(f)) return fallback;
      if (typeof f.value === 'string' && (values as readonly string[]).includes(f.value)) return f.value as T;
      problems.add(f.path, `must be one of ${values.join(', ')}, got ${describe(f.value)}`);
      return fallback;
    },

    /** A list whose items are read by `item`; duplicates (by their JSON) are reported. */
    list<T>(
      f: Field,
      item: (entry: Field) => T | undefined,
      options: { required?: boolean; unique?: boolean } = {},
    ): T[] {
      if (absent(f)) {
        if (options.required) problems.add(f.path, 'is required (a non-empty list)');
        return [];
      }
      if (!Array.isArray(f.value)) {
        problems.add(f.path, `must be a list, got ${describe(f.value)}`);
        return [];
      }
      if (options.required && f.value.length === 0) problems.add(f.path, 'must not be empty');
      const out: T[] = [];
      const seen = new Set<string>();
      f.value.forEach((value: unknown, i) => {
        const entry = { path: `${f.path}[${i}]`, value };
        const parsed = item(entry);
        if (parsed === undefined) return;
        const identity = JSON.stringify(parsed);
        if (options.unique && seen.has(identity)) problems.add(entry.path, `repeats ${describe(value)}`);
        seen.add(identity);
        out.push(parsed);
      });
      return out;
    },
  };
}

export type Readers = ReturnType<typeof readers>;
