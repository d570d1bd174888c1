import { describeBrowserConformance } from './conformance.js';

describeBrowserConformance('tfjs:wasm');
