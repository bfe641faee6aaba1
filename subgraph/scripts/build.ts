/**
 * The offline build: generate subgraph.yaml + abis from a manifest, then `graph codegen` and `graph build`.
 *
 *   tsx subgraph/scripts/build.ts [--network <name> | --manifest <file>]
 *
 * Without an option it uses test/fixtures/build-manifest.json (placeholder addresses: the compiled WASM does
 * not depend on addresses, so this checks the build without a deployment). Prints the time of each step.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadManifest, manifestSchema, type Manifest } from '../../common/deployments.ts';
import { SUBGRAPH_DIR, generate } from './generate.ts';

export const BUILD_MANIFEST = join(SUBGRAPH_DIR, 'test', 'fixtures', 'build-manifest.json');

function graphCli(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@graphprotocol/graph-cli/package.json')), 'bin', 'run.js');
}

function graph(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [graphCli(), ...args], { cwd: SUBGRAPH_DIR, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) {
    throw new Error(`graph ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return ms;
}

export interface BuildTimings {
  generateMs: number;
  codegenMs: number;
  buildMs: number;
}

/** Generates, runs codegen and build; throws with graph-cli's output on failure. */
export function buildSubgraph(manifest: Manifest): BuildTimings {
  const t0 = performance.now();
  generate({ manifest });
  const generateMs = performance.now() - t0;
  const codegenMs = graph(['codegen', 'subgraph.yaml', '--output-dir', 'generated', '--skip-migrations']);
  const buildMs = graph(['build', 'subgraph.yaml', '--output-dir', 'build', '--skip-migrations']);
  return { generateMs, codegenMs, buildMs };
}

export function readManifestFile(file: string): Manifest {
  return manifestSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--network');
  const j = argv.indexOf('--manifest');
  try {
    const manifest =
      i >= 0 ? loadManifest(argv[i + 1]!) : readManifestFile(j >= 0 ? resolve(argv[j + 1]!) : BUILD_MANIFEST);
    const t = buildSubgraph(manifest);
    console.log(
      `subgraph built for ${manifest.network}: generate ${t.generateMs.toFixed(0)} ms, codegen ${(t.codegenMs / 1000).toFixed(1)} s, build ${(t.buildMs / 1000).toFixed(1)} s`,
    );
  } catch (err) {
    console.error(`subgraph build: ${(err as Error).message}`);
    process.exit(1);
  }
}
