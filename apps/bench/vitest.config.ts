export { default } from '../../tooling/tsconfig/vitest.shared.js';
