/**
 * Every error this project throws on purpose is an RnnError with a stable `code`, so callers can
 * branch on the kind without parsing messages. Messages name the layer, the field, and the
 * expected and actual values where those exist.
 */
export type RnnErrorCode =
  | 'CONFIG' // a Keras config or TS option is invalid or unsupported
  | 'WEIGHTS' // weights missing, extra, of the wrong shape, or not finite
  | 'INPUT' // a run() argument is wrong: rank, features, batch, mask, initial state
  | 'UNSUPPORTED' // a backend cannot run this spec (a failure, never a silent fallback)
  | 'BACKEND' // a backend is unknown, unavailable or failed to start
  | 'DISPOSED' // the model or stream was used after dispose()
  | 'FORMAT'; // a fixture or model file is malformed

export interface RnnErrorDetails {
  /** Keras layer name (e.g. `lstm_1`), when the error belongs to one layer. */
  layer?: string;
  /** Config field, weight name or argument name. */
  field?: string;
  expected?: unknown;
  actual?: unknown;
}

export class RnnError extends Error {
  readonly code: RnnErrorCode;
  readonly layer?: string;
  readonly field?: string;
  readonly expected?: unknown;
  readonly actual?: unknown;

  constructor(code: RnnErrorCode, message: string, details: RnnErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = `RnnError[${code}]`;
    this.code = code;
    this.layer = details.layer;
    this.field = details.field;
    this.expected = details.expected;
    this.actual = details.actual;
  }
}

/** A Keras config or TS option that is invalid, unknown or changes results in a way we do not support. */
export class ConfigError extends RnnError {
  constructor(message: string, details: RnnErrorDetails = {}) {
    super('CONFIG', message, details);
  }
}

export class WeightError extends RnnError {
  constructor(message: string, details: RnnErrorDetails = {}) {
    super('WEIGHTS', message, details);
  }
}

export class InputError extends RnnError {
  constructor(message: string, details: RnnErrorDetails = {}) {
    super('INPUT', message, details);
  }
}

export class UnsupportedError extends RnnError {
  constructor(message: string, details: RnnErrorDetails = {}) {
    super('UNSUPPORTED', message, details);
  }
}

export class BackendError extends RnnError {
  constructor(message: string, details: RnnErrorDetails = {}, options?: { cause?: unknown }) {
    super('BACKEND', message, details, options);
  }
}

export class DisposedError extends RnnError {
  constructor(what: string) {
    super('DISPOSED', `${what} was used after dispose()`);
  }
}

export class FormatError extends RnnError {
  constructor(message: string, details: RnnErrorDetails = {}) {
    super('FORMAT', message, details);
  }
}

/** `[2, 3]` → `(2, 3)`, the way Keras prints shapes. */
export function formatShape(shape: readonly (number | null)[]): string {
  const dims = shape.map((d) => (d === null ? 'None' : String(d)));
  return `(${dims.join(', ')}${dims.length === 1 ? ',' : ''})`;
}
