import { ConfigError } from '../errors.js';

/** A parsed JSON object, as Keras configs arrive. */
export type JsonObject = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `GlorotUniform` → `glorot_uniform`, `SimpleRNN` → `simple_rnn`: how Keras derives default names. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** Short JSON rendering of a value for error messages. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Reads one Keras layer config: typed accessors that throw a ConfigError naming the layer, the
 * field, what was expected and what was found, and a record of the keys that were looked at, so
 * `rejectUnknown` can refuse any key nobody knows about (an unknown key could change results).
 */
export class ConfigReader {
  private readonly seen = new Set<string>();

  constructor(
    readonly className: string,
    readonly layer: string,
    readonly config: JsonObject,
  ) {}

  /** The error every accessor throws: `GRU layer "gru": field "units" must be ..., got ...`. */
  error(field: string, expected: string, actual: unknown, extra = ''): ConfigError {
    return new ConfigError(
      `${this.className} layer "${this.layer}": field "${field}" must be ${expected}, got ${show(actual)}${extra}`,
      { layer: this.layer, field, expected, actual },
    );
  }

  /** Marks keys as known and harmless (they never change inference results). */
  accept(...keys: readonly string[]): void {
    for (const key of keys) this.seen.add(key);
  }

  /** The raw value (undefined when absent); marks the key as known. */
  raw(key: string): unknown {
    this.seen.add(key);
    return this.config[key];
  }

  has(key: string): boolean {
    return this.config[key] !== undefined;
  }

  bool(key: string, fallback: boolean): boolean {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw this.error(key, 'true or false', value);
    return value;
  }

  positiveInt(key: string): number {
    const value = this.raw(key);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw this.error(key, 'a positive integer', value);
    }
    return value;
  }

  number(key: string, fallback: number): number {
    const value = this.raw(key);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.error(key, 'a finite number', value);
    return value;
  }

  /** Accepts the key only when it holds one of `allowed` (compared as JSON), e.g. `time_major: false`. */
  only(key: string, allowed: readonly unknown[], why: string): void {
    const value = this.raw(key);
    if (value === undefined) return;
    if (!allowed.some((a) => a === value)) {
      throw this.error(key, allowed.map((a) => show(a)).join(' or '), value, ` (${why})`);
    }
  }

  /** Throws on the first key that no accessor or `accept` has claimed. */
  rejectUnknown(): void {
    for (const key of Object.keys(this.config)) {
      if (this.seen.has(key) || this.config[key] === undefined) continue;
      throw new ConfigError(
        `${this.className} layer "${this.layer}": unknown option "${key}" (value ${show(this.config[key])}); ` +
          'options this library does not know could change results, so the config is refused',
        { layer: this.layer, field: key, expected: 'a known option', actual: this.config[key] },
      );
    }
  }
}

/** `[null, 6, 5]` → checked dims; undefined when the value is absent. */
export function readShape(reader: ConfigReader, key: string): (number | null)[] | undefined {
  const value = reader.raw(key);
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((d) => d === null || (Number.isInteger(d) && (d as number) >= 0))) {
    throw reader.error(key, 'a shape: a list of non-negative integers or null', value);
  }
  return value as (number | null)[];
}
