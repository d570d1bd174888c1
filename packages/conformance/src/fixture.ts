/**
 * Typed form of one golden fixture (`rnn-golden/1`, see fixtures/README.md and fixtures/schema.json).
 * Field names are the fixture's own (snake_case), so a parsed JSON file is a `Fixture` as it is.
 */

/** A flat, row-major tensor as stored in a fixture. */
export interface FixtureTensor {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

export interface NamedFixtureTensor extends FixtureTensor {
  readonly name: string;
}

/** Keras output names, in the order Keras returns them. */
export type FixtureOutputName =
  | 'output'
  | 'h'
  | 'c'
  | 'forward_output'
  | 'backward_output'
  | 'forward_h'
  | 'forward_c'
  | 'backward_h'
  | 'backward_c'
  | 'state';

export interface FixtureOutput extends FixtureTensor {
  readonly name: FixtureOutputName;
}

export interface FixtureCall {
  /** Keras order: `[h]`, `[h, c]`, Bidirectional forward states then backward states. */
  readonly initial_state: readonly FixtureTensor[] | null;
  /** `(batch, timesteps)`, 1 = real step. */
  readonly mask: FixtureTensor | null;
}

/** One call of a stateful fixture's sequence. */
export interface FixtureStep {
  readonly reset_states_before: boolean;
  readonly inputs: FixtureTensor;
  readonly outputs: readonly FixtureOutput[];
}

export type FixtureClassName = 'SimpleRNN' | 'GRU' | 'LSTM' | 'Bidirectional' | 'Sequential' | 'Functional';

export interface Fixture {
  readonly format: 'rnn-golden/1';
  /** Equals the file name without `.json`. */
  readonly id: string;
  readonly generator: { readonly keras: string; readonly backend: string };
  /** `layer.get_config()` (or `model.get_config()`) verbatim, as `{class_name, config}`. */
  readonly layer: { readonly class_name: FixtureClassName; readonly config: Readonly<Record<string, unknown>> };
  /** In `get_weights()` order. */
  readonly weights: readonly NamedFixtureTensor[];
  readonly call: FixtureCall;
  /** `null` for stateful fixtures (they have a `sequence`). */
  readonly inputs: FixtureTensor | null;
  readonly outputs: readonly FixtureOutput[] | null;
  readonly sequence: readonly FixtureStep[] | null;
  readonly notes?: string;
  /** Model fixtures: the saved `.keras`/`.h5` file beside the JSON. */
  readonly model_file?: string;
}

/** A fixture with where it came from (a file path or URL), for messages and for finding its model file. */
export interface LoadedFixture {
  readonly id: string;
  /** The fixture's own file (path or URL). */
  readonly source: string;
  readonly fixture: Fixture;
  /** Where `fixture.model_file` lies (path or URL), when the fixture has one. */
  readonly modelFile?: string;
}

/** Rows of the conformance matrix, in display order. */
export const FAMILIES = ['SimpleRNN', 'GRU', 'LSTM', 'Bidirectional', 'stateful', 'models'] as const;
export type Family = (typeof FAMILIES)[number];

/** Stateful fixtures form their own family whatever their layer; whole models likewise. */
export function fixtureFamily(fixture: Fixture): Family {
  if (fixture.sequence !== null) return 'stateful';
  const className = fixture.layer.class_name;
  if (className === 'Sequential' || className === 'Functional') return 'models';
  return className;
}
