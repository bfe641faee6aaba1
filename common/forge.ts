/**
 * Forge from the @foundry-rs platform packages (real exit codes) and its build artifacts: the one place the
 * TypeScript side finds compiled contracts (ABIs, bytecode) and runs forge scripts.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (forge must run from here: foundry.toml names scripts/solc.cjs relative to it). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The forge output directory (`$SHOAL_FORGE_OUT` or `<repo>/out`). */
export function forgeOutDir(): string {
  return process.env.SHOAL_FORGE_OUT ?? join(REPO_ROOT, 'out');
}

/** Path of a Foundry binary from its platform package. */
export function foundryBinary(tool: 'forge' | 'anvil' | 'cast'): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve(`@foundry-rs/${tool}-linux-amd64/package.json`)), 'bin', tool);
}

export interface ForgeArtifact {
  abi: unknown[];
  bytecode: { object: string };
  deployedBytecode: { object: string };
}

/** Reads `out/<File>.sol/<Contract>.json`; tells the user to build when it is missing. */
export function readArtifact(sourceFile: string, contract: string, outDir = forgeOutDir()): ForgeArtifact {
  const file = join(outDir, sourceFile, `${contract}.json`);
  if (!existsSync(file)) {
    throw new Error(`forge artifact ${file} is missing: run \`npx forge build\` (or \`npm run build\`) first`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as ForgeArtifact;
}

export interface RunResult {
  code: number;
  output: string;
}

/** Runs forge from the repository root, collecting its output; rejects with that output on failure. */
export function runForge(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(foundryBinary('forge'), args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', (err) => reject(new Error(`could not run forge: ${err.message}. Run \`npm ci\`.`)));
    child.once('exit', (code) =>
      code === 0
        ? resolvePromise({ code: 0, output })
        : reject(new Error(`forge ${args.join(' ')} failed (exit ${code}):\n${output}`)),
    );
  });
}
