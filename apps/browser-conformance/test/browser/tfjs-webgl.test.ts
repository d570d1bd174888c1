import { describeBrowserConformance } from './conformance.js';

describeBrowserConformance('tfjs:webgl');
