/// <reference types="vitest" />
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))

// The service (`pmo serve`) serves the built app; `npm run dev` proxies the API to it.
export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  css: {
    preprocessorOptions: {
      scss: {
        api: 'modern-compiler',
        // MOJ Frontend imports GOV.UK Frontend as "node_modules/govuk-frontend/...".
        loadPaths: [root, `${root}node_modules`],
        // The design systems' own deprecation notices are theirs to fix, not ours.
        quietDeps: true,
        silenceDeprecations: ['import', 'global-builtin', 'color-functions', 'if-function'],
      },
    },
  },
  build: { outDir: 'dist', sourcemap: false, reportCompressedSize: false, chunkSizeWarningLimit: 200 },
  server: { proxy: { '/api': 'http://127.0.0.1:8000' } },
  test: { include: ['src/**/*.test.{ts,tsx}'], environment: 'node' },
})
