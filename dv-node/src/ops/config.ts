/**
 * Configuration of `dv-node run`, from (lowest to highest precedence) a JSON file (`--config`), environment
 * variables (`DVNODE_<FIELD>` in SCREAMING_SNAKE case, e.g. DVNODE_BEACON_URL) and command-line flags. Validated with
 * zod; an error names the bad field, what it got, and what to do.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** A required, non-empty string with one message for absent and empty. */
const req = (msg: string) => z.string({ error: msg }).min(1, msg);

const multiaddr = z.string().regex(/^\/(ip4|ip6|dns|dns4|dns6)\/[^/]+\/tcp\/\d+(\/p2p\/\w+)?$/, 'must be a TCP multiaddr like /ip4/127.0.0.1/tcp/9000');

export const RunConfigSchema = z.object({
  /** The verified cluster lock (cluster-lock.json). */
  lock: req('path to cluster-lock.json is required'),
  /** The operator key: a hex private key file or an encrypted v3 keystore (then operatorKeyPassword or its file). */
  operatorKey: req('path to the operator key file is required'),
  operatorKeyPassword: z.string().optional(),
  /** Directory of this node's EIP-2335 share keystores (keystore-*.json, each with its password in keystore-*.txt). */
  keysDir: req('the share keystore directory is required'),
  /** Where the slashing-protection database and exit requests live. */
  dataDir: req('a data directory is required'),
  beaconUrl: z.url({ error: 'must be the http(s) URL of a beacon node, e.g. http://127.0.0.1:5052' }),
  /** libp2p listen address. */
  p2pListen: multiaddr.default('/ip4/0.0.0.0/tcp/9000'),
  /** Overrides of peers' addresses from the lock: "index=multiaddr". */
  peers: z.array(z.string().regex(/^\d+=\/.+$/, 'must be index=multiaddr, e.g. 2=/ip4/10.0.0.3/tcp/9000')).default([]),
  opsHost: z.string().default('127.0.0.1'),
  /** Port of /health, /readiness, /metrics, /cluster (0 = any free port; printed at start). */
  opsPort: z.coerce.number().int().min(0).max(65535).default(3610),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** First QBFT round duration (ms); Charon uses 750. */
  roundMs: z.coerce.number().int().positive().default(750),
  /** Execution-layer JSON-RPC URL to watch the protocol's exit-request events on (optional). */
  elRpcUrl: z.url({ error: 'must be the http(s) URL of an execution-layer JSON-RPC endpoint' }).optional(),
  /** Contract emitting exit requests (e.g. the OperatorRegistry); needs elRpcUrl and exitEvent. */
  exitContract: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 20-byte 0x address').optional(),
  /** The event as a human-readable ABI item with a `bytes pubkey` argument. */
  exitEvent: z.string().startsWith('event ', 'must be a human-readable event, e.g. "event ExitRequested(uint256 indexed clusterId, bytes pubkey)"').optional(),
  /** TEST-ONLY fault injection: "invalid-partials" makes this node send partial signatures that do not verify. */
  fault: z.enum(['none', 'invalid-partials']).default('none'),
});
export type RunConfig = z.infer<typeof RunConfigSchema>;

/** Cross-field rule: the on-chain exit trigger needs all three of its settings. */
function checkExitTrigger(c: RunConfig): string | null {
  const set = [c.elRpcUrl, c.exitContract, c.exitEvent].filter((x) => x !== undefined).length;
  return set === 0 || set === 3 ? null : 'elRpcUrl, exitContract and exitEvent go together (the on-chain exit trigger needs all three)';
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** camelCase field → DVNODE_SCREAMING_SNAKE env var. */
export function envName(field: string): string {
  return `DVNODE_${field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** camelCase field → --kebab-case flag. */
export function flagName(field: string): string {
  return `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Merges file < env < flags and validates. `flags` holds only the flags given. */
export function loadRunConfig(flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): RunConfig {
  let file: Record<string, unknown> = {};
  const configPath = (flags.config as string | undefined) ?? env.DVNODE_CONFIG;
  if (configPath !== undefined) {
    try {
      file = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError(`config file ${configPath}: ${(e as Error).message}`);
    }
  }
  const fromEnv: Record<string, unknown> = {};
  for (const key of Object.keys(RunConfigSchema.shape)) {
    const v = env[envName(key)];
    if (v !== undefined) fromEnv[key] = key === 'peers' ? v.split(',').filter(Boolean) : v;
  }
  const merged: Record<string, unknown> = { ...file, ...fromEnv };
  for (const [k, v] of Object.entries(flags)) if (v !== undefined && k !== 'config') merged[k] = v;
  const r = RunConfigSchema.safeParse(merged);
  if (!r.success) {
    const lines = r.error.issues.map((i) => {
      const field = i.path.join('.') || '(root)';
      const key = String(i.path[0] ?? '');
      const where = key ? ` (flag ${flagName(key)}, env ${envName(key)}${configPath ? `, or "${key}" in ${configPath}` : ''})` : '';
      return `  ${field}: ${i.message}${where}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const cross = checkExitTrigger(r.data);
  if (cross !== null) throw new ConfigError(`invalid configuration:\n  ${cross} (flags ${flagName('elRpcUrl')}, ${flagName('exitContract')}, ${flagName('exitEvent')})`);
  return r.data;
}
