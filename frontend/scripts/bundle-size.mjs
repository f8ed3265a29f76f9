// Prints the gzipped size of what the first load fetches (the JS and CSS index.html names)
// and fails the build when it is over the budget.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const BUDGET_KB = 200
const dist = 'dist'
const html = readFileSync(join(dist, 'index.html'), 'utf8')
const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1])
let total = 0
for (const file of files) {
  const size = gzipSync(readFileSync(join(dist, file)), { level: 9 }).length
  total += size
  console.log(`  ${file}: ${(size / 1024).toFixed(1)} KB gzipped`)
}
const kb = total / 1024
console.log(`First load (JS + CSS, gzipped): ${kb.toFixed(1)} KB of a ${BUDGET_KB} KB budget.`)
if (files.length === 0 || kb > BUDGET_KB) {
  console.error(files.length === 0 ? 'No assets found in dist/index.html.' : 'Over budget.')
  process.exit(1)
}
