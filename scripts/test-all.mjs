#!/usr/bin/env node
// Runs every test suite of the repository and ends with the one line CI reads: `N passed, N failed`.
// Usage: npm test [-- suite ...]   (suites: forge, sizes, gas, types, ts, subgraph; default all)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const TS_DIRS = ['common', 'oracle', 'keeper', 'dv-node', 'devnet', 'test', 'subgraph/test'];

function run(cmd, args, env = {}) {
  process.stdout.write(`\n$ ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 28 });
  process.stdout.write(r.stdout ?? '');
  process.stderr.write(r.stderr ?? '');
  return { code: r.status ?? 1, out: `${r.stdout ?? ''}\n${r.stderr ?? ''}` };
}

function findTests(dir, acc = []) {
  if (!existsSync(dir)) return acc;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, acc);
    else if (name.endsWith('.test.ts')) acc.push(p);
  }
  return acc;
}

/** Each suite returns {passed, failed, skipped}; a crash without counts is one failure. */
const suites = {
  forge() {
    const r = run('npx', ['forge', 'test']);
    const m = r.out.match(/(\d+) tests passed, (\d+) failed, (\d+) skipped/);
    if (!m) return { passed: 0, failed: 1, skipped: 0 };
    const c = { passed: +m[1], failed: +m[2], skipped: +m[3] };
    if (r.code !== 0 && c.failed === 0) c.failed = 1;
    return c;
  },
  sizes() {
    // Every deployable contract must fit EIP-170's 24,576-byte code limit (forge exits non-zero otherwise).
    const r = run('npx', ['forge', 'build', '--sizes', '--skip', 'contracts/test/**', '--skip', 'contracts/script/**']);
    return r.code === 0 ? { passed: 1, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0 };
  },
  gas() {
    // Gas snapshot: any change of a measured operation must be committed deliberately (`npm run snapshot`).
    const r = run('npx', ['forge', 'snapshot', '--check', 'contracts/gas-snapshot', '--match-contract', 'Gas']);
    return r.code === 0 ? { passed: 1, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0 };
  },
  types() {
    const r = run('npx', ['tsc', '-p', '.']);
    return r.code === 0 ? { passed: 1, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0 };
  },
  subgraph() {
    // offline: manifest-driven subgraph.yaml + `graph codegen && graph build` (before `ts`, whose
    // subgraph/test/*.test.ts replay the built WASM), then the subgraph's TypeScript (harness, generator)
    const build = run('npx', ['tsx', 'subgraph/scripts/build.ts']);
    const types = run('npx', ['tsc', '-p', 'subgraph/tsconfig.json']);
    const passed = (build.code === 0 ? 1 : 0) + (types.code === 0 ? 1 : 0);
    return { passed, failed: 2 - passed, skipped: 0 };
  },
  ts() {
    const files = TS_DIRS.flatMap((d) => findTests(join(root, d)));
    if (files.length === 0) return { passed: 0, failed: 0, skipped: 0 };
    const r = run('node', ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=300000', ...files]);
    const num = (k) => +(r.out.match(new RegExp(`ℹ ${k} (\\d+)`))?.[1] ?? 0);
    const c = { passed: num('pass'), failed: num('fail') + num('cancelled'), skipped: num('skipped') + num('todo') };
    if (r.code !== 0 && c.failed === 0) c.failed = 1;
    return c;
  },
};

const wanted = process.argv.slice(2).filter((a) => suites[a]);
const total = { passed: 0, failed: 0, skipped: 0 };
const lines = [];
for (const name of wanted.length ? wanted : Object.keys(suites)) {
  const c = suites[name]();
  lines.push(`${name.padEnd(9)} ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
  for (const k of Object.keys(total)) total[k] += c[k];
}
console.log(`\n${lines.join('\n')}`);
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
process.exit(total.failed === 0 ? 0 : 1);
