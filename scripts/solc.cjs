#!/usr/bin/env node
// Forge's solc hook: forge cannot download a native solc here, so it calls this script instead.
// Forge runs `<solc> --version` and `<solc> ... --standard-json` (all sources inlined on stdin);
// we answer both with solcjs (npm `solc`, WebAssembly).
'use strict';
const solc = require('solc');

if (process.argv.includes('--version')) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
  process.exit(0);
}
if (!process.argv.includes('--standard-json')) {
  process.stderr.write('scripts/solc.cjs only supports --version and --standard-json (it is forge\'s solc hook)\n');
  process.exit(1);
}
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const input = Buffer.concat(chunks).toString('utf8');
  process.stdout.write(solc.compile(input));
});
