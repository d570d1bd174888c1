/**
 * Browser-safe entry: fixture types, the comparison rule, the validator and the runner. They take
 * fixtures already loaded; `@rnn/conformance/node` loads them from disk.
 */
export { TOLERANCE, compareOutputs, elementError } from './compare.js';
export type { ComparedTensor, Comparison } from './compare.js';
export { FAMILIES, fixtureFamily } from './fixture.js';
export type {
  Family,
  Fixture,
  FixtureCall,
  FixtureClassName,
  FixtureOutput,
  FixtureOutputName,
  FixtureStep,
  FixtureTensor,
  LoadedFixture,
  NamedFixtureTensor,
} from './fixture.js';
export {
  MODEL_FILE_SUFFIX,
  backendProblem,
  listCases,
  runCase,
  runConformance,
  toLoadedFixture,
  useBackend,
} from './runner.js';
export type {
  CaseFilter,
  CaseOptions,
  CaseResult,
  ConformanceCase,
  ConformanceOptions,
  ConformanceProgress,
  ConformanceReport,
  ModelFileLoader,
  ModelFileRequest,
} from './runner.js';
export { createFixtureValidator } from './validate.js';
export type { FixtureValidator } from './validate.js';
