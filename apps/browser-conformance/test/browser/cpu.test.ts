import { describeBrowserConformance } from './conformance.js';

describeBrowserConformance('cpu');
