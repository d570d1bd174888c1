import { describeBrowserConformance } from './conformance.js';

describeBrowserConformance('onnx-web:wasm');
