// Vite builds the app into dist/ (served by `jiceng serve` from server.web_root); Vitest runs the
// component tests in tests/unit under happy-dom.
import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  plugins: [vue()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    // Files under /assets/ are named by a hash of their content and cached for a year.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    // `npm run dev` beside `jiceng serve` on the default port, or the server at JICENG_API.
    proxy: { '/api': process.env.JICENG_API ?? 'http://127.0.0.1:8080' },
  },
  test: {
    environment: 'happy-dom',
    include: ['tests/unit/**/*.test.ts'],
  },
})
