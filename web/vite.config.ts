// Vite builds the app into dist/ (served by `jiceng serve` from server.web_root); Vitest runs the
// component tests in tests/unit under happy-dom.
import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import type { Plugin } from 'vite'
import { defineConfig } from 'vitest/config'

// Vant's icon font names a copy on a CDN after its inline woff2. Government intranets reach no
// CDN, and the page's Content-Security-Policy allows fonts only from the app itself: the CDN
// copy is cut, the inline font stays.
function selfHostedFonts(): Plugin {
  return {
    name: 'jiceng-self-hosted-fonts',
    enforce: 'pre',
    transform(code, id) {
      if (!id.split('?')[0].endsWith('.css') || !code.includes('at.alicdn.com')) return null
      return code.replace(/,\s*url\(\/\/at\.alicdn\.com[^)]*\)\s*format\("woff"\)/g, '')
    },
  }
}

export default defineConfig({
  plugins: [vue(), selfHostedFonts()],
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
