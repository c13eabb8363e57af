/**
 * A tiny reader for untrusted YAML that collects every problem with its path
 * (`clients[2] "Billing API".client_secret: …`) instead of stopping at the first, so a
 * tenant file can be fixed in one pass.
 */
export class Problems {
  readonly list: string[] = [];
  add(path: string, message: string): void {
    this.list.push(`${path}: ${message}`);
  }
  get empty(): boolean {
    return this.list.length === 0;
  }
}

export type Obj = Record<string, unknown>;

export function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class Reader {
  constructor(
    readonly obj: Obj,
    readonly path: string,
    readonly problems: Problems,
  ) {}

  at(field: string): string {
    return this.path ? `${this.path}.${field}` : field;
  }

  private fail(field: string, message: string): undefined {
    this.problems.add(this.at(field), message);
    return undefined;
  }

  string(field: string, opts: { required?: boolean; pattern?: RegExp; min?: number; max?: number } = {}): string | undefined {
    const value = this.obj[field];
    if (value === undefined || value === null) return opts.required ? this.fail(field, 'is required') : undefined;
    if (typeof value !== 'string') return this.fail(field, 'must be a string');
    if (opts.min !== undefined && value.length < opts.min) return this.fail(field, `must be at least ${opts.min} characters`);
    if (opts.max !== undefined && value.length > opts.max) return this.fail(field, `must be at most ${opts.max} characters`);
    if (opts.pattern && !opts.pattern.test(value)) return this.fail(field, `must match ${opts.pattern}`);
    return value;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], fallback?: T): T | undefined {
    const value = this.obj[field];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string' || !allowed.includes(value as T)) {
      return this.fail(field, `must be one of ${allowed.join(', ')}`);
    }
    return value as T;
  }

  boolean(field: string, fallback: boolean): boolean {
    const value = this.obj[field];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') {
      this.fail(field, 'must be true or false');
      return fallback;
    }
    return value;
  }

  integer(field: string, opts: { min: number; max: number; fallback: number }): number {
    const value = this.obj[field];
    if (value === undefined || value === null) return opts.fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < opts.min || value > opts.max) {
      this.fail(field, `must be an integer from ${opts.min} to ${opts.max}`);
      return opts.fallback;
    }
    return value;
  }

  strings(field: string): string[] | undefined {
    const value = this.obj[field];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) return this.fail(field, 'must be a list of strings');
    return value as string[];
  }

  object(field: string): Reader | undefined {
    const value = this.obj[field];
    if (value === undefined || value === null) return undefined;
    if (!isObject(value)) return this.fail(field, 'must be a mapping');
    return new Reader(value, this.at(field), this.problems);
  }

  list(field: string): Reader[] {
    const value = this.obj[field];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.fail(field, 'must be a list');
      return [];
    }
    return value.flatMap((entry, i) => {
      const label = isObject(entry) && typeof entry.name === 'string' ? ` "${entry.name}"` : '';
      if (!isObject(entry)) {
        this.problems.add(`${this.at(field)}[${i}]`, 'must be a mapping');
        return [];
      }
      return [new Reader(entry, `${this.at(field)}[${i}]${label}`, this.problems)];
    });
  }
}
