import { FormatError } from '@rnn/core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { Fixture, FixtureTensor } from './fixture.js';

/** Checks a parsed fixture and returns it typed; throws `FormatError` naming the source and the JSON path. */
export type FixtureValidator = (value: unknown, source: string) => Fixture;

/**
 * Builds a validator from the fixture schema (`fixtures/schema.json`, JSON Schema 2020-12). On top of the
 * schema it checks what a schema cannot say: every tensor's `data` holds exactly `prod(shape)` values.
 * Browser-safe: the caller supplies the schema object (Node: `loadFixtures` reads the bundled one).
 */
export function createFixtureValidator(schema: object): FixtureValidator {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  return (value, source) => {
    if (!validate(value)) {
      const error = mostSpecific(validate.errors!);
      throw new FormatError(`${source}: ${describeSchemaError(error)}`, { field: jsonPath(error.instancePath) });
    }
    const fixture = value as Fixture;
    for (const [path, tensor] of tensorsOf(fixture)) {
      const size = tensor.shape.reduce((n, d) => n * d, 1);
      if (tensor.data.length !== size) {
        throw new FormatError(
          `${source}: ${path}/data holds ${tensor.data.length} values, shape [${tensor.shape.join(', ')}] needs ${size}`,
          { field: `${path}/data`, expected: size, actual: tensor.data.length },
        );
      }
    }
    return fixture;
  };
}

function jsonPath(instancePath: string): string {
  return instancePath === '' ? '/' : instancePath;
}

/**
 * With `oneOf: [null, tensor]` a bad tensor also reports "must be null" and "must match exactly one
 * schema" on its parent; the error deepest in the document is the one that says what is wrong.
 */
function mostSpecific(errors: readonly ErrorObject[]): ErrorObject {
  const depth = (e: ErrorObject) => e.instancePath.split('/').length;
  const combinator = (e: ErrorObject) => e.keyword === 'oneOf' || e.keyword === 'if' || (e.keyword === 'type' && (e.params as { type?: unknown }).type === 'null');
  return errors.reduce((best, e) =>
    depth(e) > depth(best) || (depth(e) === depth(best) && combinator(best) && !combinator(e)) ? e : best,
  );
}

function describeSchemaError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const detail =
    error.keyword === 'additionalProperties'
      ? `${error.message} ("${String(params.additionalProperty)}")`
      : error.keyword === 'enum' || error.keyword === 'const'
        ? `${error.message} (${JSON.stringify(params.allowedValues ?? params.allowedValue)})`
        : error.message;
  return `${jsonPath(error.instancePath)}: ${detail}`;
}

/** Every tensor in a fixture with its JSON path. */
function* tensorsOf(fixture: Fixture): Generator<[string, FixtureTensor]> {
  for (const [i, w] of fixture.weights.entries()) yield [`/weights/${i}`, w];
  for (const [i, s] of (fixture.call.initial_state ?? []).entries()) yield [`/call/initial_state/${i}`, s];
  if (fixture.call.mask) yield ['/call/mask', fixture.call.mask];
  if (fixture.inputs) yield ['/inputs', fixture.inputs];
  for (const [i, o] of (fixture.outputs ?? []).entries()) yield [`/outputs/${i}`, o];
  for (const [k, step] of (fixture.sequence ?? []).entries()) {
    yield [`/sequence/${k}/inputs`, step.inputs];
    for (const [i, o] of step.outputs.entries()) yield [`/sequence/${k}/outputs/${i}`, o];
  }
}
