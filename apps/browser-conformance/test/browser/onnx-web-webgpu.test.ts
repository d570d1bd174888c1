import { describeBrowserConformance } from './conformance.js';

describeBrowserConformance('onnx-web:webgpu');
