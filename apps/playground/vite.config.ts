import { browserDependencies, fixturesPlugin } from '@rnn/browser-conformance';
import { defaultClientConditions, defineConfig } from 'vite';

/**
 * A static site: relative asset URLs (it works from any folder of any static server), every
 * WebAssembly binary and the golden fixtures copied into `dist/`, nothing loaded from elsewhere.
 */
export default defineConfig({
  base: './',
  // Workspace packages from their TypeScript sources.
  resolve: { conditions: ['@rnn/source', ...defaultClientConditions] },
  plugins: [fixturesPlugin()],
  optimizeDeps: { include: browserDependencies('@rnn/browser-conformance') },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  build: {
    target: 'es2022',
    // onnxruntime-web and tfjs are large by nature; the page loads them once.
    chunkSizeWarningLimit: 8192,
  },
});
