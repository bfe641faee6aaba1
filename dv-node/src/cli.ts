#!/usr/bin/env node
/**
 * dv-node: one operator's node of a Shoal distributed-validator cluster.
 *
 *   dv-node create-cluster …            write a cluster definition (then: create-cluster sign, by every operator)
 *   dv-node dkg …                       run the distributed key generation with the other operators
 *   dv-node run …                       do the cluster's validator duties
 *   dv-node exit …                      ask the running node to threshold-sign a voluntary exit
 *   dv-node slashing-protection export|import …   EIP-3076 interchange
 *   dv-node status …                    show a running node's cluster status
 *
 * Every command has --help. Exit codes: 0 ok, 1 failure, 2 bad usage or configuration.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { addressOfPeerId, loadIdentity } from './identity/index.ts';
import { createDefinition, loadDefinition, loadLock, signDefinition, verifyDefinition } from './cluster/index.ts';
import type { Hex } from './cluster/types.ts';
import { SlashingProtectionDb } from './slashing/db.ts';
import { BeaconClient } from './beacon/client.ts';
import { exitRequestDir } from './duties/exit-trigger.ts';
import { ConfigError, loadRunConfig, RunConfigSchema, envName, flagName } from './ops/config.ts';
import { SLASHING_DB_FILE, runNode } from './ops/launch.ts';
import { jsonLogger } from './ops/log.ts';
import { runDealerSplit, runDkg, type DkgOptions, type DkgOutput } from './dkg/index.ts';
import { startClusterNetwork } from './p2p/libp2p.ts';

class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

function parse(args: string[], options: Options, usage: string): Record<string, string | boolean | string[] | undefined> {
  try {
    const { values } = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false });
    if (values.help) {
      console.log(usage);
      process.exit(0);
    }
    return values as Record<string, string | boolean | string[] | undefined>;
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${usage}`);
  }
}

function required(v: Record<string, unknown>, name: string, usage: string): string {
  const x = v[name];
  if (typeof x !== 'string' || x === '') throw new UsageError(`--${name} is required\n\n${usage}`);
  return x;
}

// ---- run ------------------------------------------------------------------------------------------------------
const RUN_FIELDS = Object.keys(RunConfigSchema.shape);
const RUN_USAGE = `usage: dv-node run [--config FILE] --lock FILE --operator-key FILE --keys-dir DIR --data-dir DIR --beacon-url URL
                 [--operator-key-password PW] [--p2p-listen MULTIADDR] [--peers INDEX=MULTIADDR ...]
                 [--ops-host HOST] [--ops-port N] [--log-level debug|info|warn|error] [--round-ms MS]

Does the cluster's duties (attestations, aggregation, blocks, sync committee messages, exits) with the other
operators' nodes. Settings come from --config (JSON, camelCase keys), then environment variables, then flags:
${RUN_FIELDS.map((f) => `  ${flagName(f).padEnd(26)} ${envName(f)}`).join('\n')}
Serves /health, /readiness, /metrics and /cluster on the ops port. Stops cleanly on SIGINT/SIGTERM.`;

async function cmdRun(args: string[]): Promise<void> {
  const options: Options = { config: { type: 'string' }, peers: { type: 'string', multiple: true } };
  for (const f of RUN_FIELDS) if (f !== 'peers') options[flagName(f).slice(2)] = { type: 'string' };
  const v = parse(args, options, RUN_USAGE);
  const flags: Record<string, unknown> = {};
  for (const f of [...RUN_FIELDS, 'config']) {
    const val = v[flagName(f).slice(2)];
    if (val !== undefined) flags[f] = val;
  }
  const cfg = loadRunConfig(flags);
  const log = jsonLogger({ level: cfg.logLevel });
  const running = await runNode(cfg, log);
  const shutdown = async (signal: string) => {
    log.info('stopping', { signal });
    await running.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

// ---- create-cluster -------------------------------------------------------------------------------------------
const CREATE_USAGE = `usage: dv-node create-cluster --name NAME --validators V --withdrawal-address 0x… --fee-recipient 0x…
                 --network-name NAME --chain-id ID --genesis-fork-version 0x…
                 --operator ID,PEER_ID,MULTIADDR (n times: 4, 7 or 10 operators, in share order) --out FILE
       dv-node create-cluster sign --definition FILE --operator-key FILE [--operator-key-password PW] [--out FILE]

Writes an unsigned cluster definition; then every operator adds its signature with "create-cluster sign"
(EIP-712 with its operator key). The DKG ("dv-node dkg") needs a definition signed by every operator.`;

async function cmdCreateCluster(args: string[]): Promise<void> {
  if (args[0] === 'sign') {
    const v = parse(args.slice(1), { definition: { type: 'string' }, 'operator-key': { type: 'string' }, 'operator-key-password': { type: 'string' }, out: { type: 'string' } }, CREATE_USAGE);
    const path = required(v, 'definition', CREATE_USAGE);
    const def = loadDefinition(path, { requireAllSignatures: false });
    const identity = loadIdentity(required(v, 'operator-key', CREATE_USAGE), v['operator-key-password'] as string | undefined);
    const signed = signDefinition(def, identity);
    const out = (v.out as string | undefined) ?? path;
    writeFileSync(out, `${JSON.stringify(signed, null, 2)}\n`);
    const missing = signed.signatures.filter((s) => s === '0x').length;
    console.log(`signed ${out} as ${identity.address}; ${missing === 0 ? 'every operator has signed: ready for "dv-node dkg"' : `${missing} operator(s) still to sign`}`);
    return;
  }
  const v = parse(
    args,
    {
      name: { type: 'string' },
      validators: { type: 'string' },
      'withdrawal-address': { type: 'string' },
      'fee-recipient': { type: 'string' },
      'network-name': { type: 'string' },
      'chain-id': { type: 'string' },
      'genesis-fork-version': { type: 'string' },
      operator: { type: 'string', multiple: true },
      out: { type: 'string' },
    },
    CREATE_USAGE,
  );
  const ops = (v.operator as string[] | undefined) ?? [];
  const operators = ops.map((o, i) => {
    const [id, peerId, ...addrs] = o.split(',');
    if (!id || !/^\d+$/.test(id) || !peerId) throw new UsageError(`--operator #${i + 1} "${o}": expected OPERATOR_ID,PEER_ID[,MULTIADDR…]`);
    return { operatorId: Number(id), address: addressOfPeerId(peerId), peerId, multiaddrs: addrs };
  });
  const num = (name: string) => {
    const s = required(v, name, CREATE_USAGE);
    if (!/^\d+$/.test(s)) throw new UsageError(`--${name} must be a whole number, got "${s}"`);
    return Number(s);
  };
  const def = createDefinition({
    name: required(v, 'name', CREATE_USAGE),
    network: { name: required(v, 'network-name', CREATE_USAGE), chainId: num('chain-id'), genesisForkVersion: required(v, 'genesis-fork-version', CREATE_USAGE) as Hex },
    withdrawalAddress: required(v, 'withdrawal-address', CREATE_USAGE) as Hex,
    feeRecipient: required(v, 'fee-recipient', CREATE_USAGE) as Hex,
    validators: num('validators'),
    operators,
  });
  verifyDefinition(def, { requireAllSignatures: false });
  const out = required(v, 'out', CREATE_USAGE);
  writeFileSync(out, `${JSON.stringify(def, null, 2)}\n`);
  console.log(`wrote ${out} (definition hash ${def.definitionHash}, ${operators.length} operators, threshold ${def.threshold}); each operator now runs "dv-node create-cluster sign --definition ${out}"`);
}

// ---- dkg ------------------------------------------------------------------------------------------------------
const DKG_USAGE = `usage: dv-node dkg --definition FILE --operator-key FILE [--operator-key-password PW] --out DIR
                 [--p2p-listen MULTIADDR] [--peers INDEX=MULTIADDR ...] [--keystore-password PW]
                 [--dealer-split --dealer INDEX [--existing-keys FILE]]

Runs the distributed key generation with the definition's other operators (every one runs this command at the
same time). Writes DIR/cluster-lock.json, DIR/deposit_data-*.json and DIR/validator_keys/keystore-*.json (+ .txt).
--dealer-split is the separate, explicit dealer mode: operator --dealer holds existing validator keys
(--existing-keys: a JSON array of 0x secret keys) and splits them; it sees the full keys.`;

async function cmdDkg(args: string[]): Promise<void> {
  const v = parse(
    args,
    {
      definition: { type: 'string' },
      'operator-key': { type: 'string' },
      'operator-key-password': { type: 'string' },
      out: { type: 'string' },
      'p2p-listen': { type: 'string' },
      peers: { type: 'string', multiple: true },
      'keystore-password': { type: 'string' },
      'dealer-split': { type: 'boolean' },
      dealer: { type: 'string' },
      'existing-keys': { type: 'string' },
    },
    DKG_USAGE,
  );
  const definition = loadDefinition(required(v, 'definition', DKG_USAGE));
  const identity = loadIdentity(required(v, 'operator-key', DKG_USAGE), v['operator-key-password'] as string | undefined);
  const outputDir = resolve(required(v, 'out', DKG_USAGE));
  mkdirSync(outputDir, { recursive: true });
  const members = definition.operators.map((op) => ({ address: op.address, peerId: op.peerId, multiaddrs: [...op.multiaddrs] }));
  for (const p of (v.peers as string[] | undefined) ?? []) {
    const i = Number(p.slice(0, p.indexOf('=')));
    if (!members[i]) throw new UsageError(`--peers ${p}: no operator ${i}`);
    members[i]!.multiaddrs = [p.slice(p.indexOf('=') + 1)];
  }
  const network = await startClusterNetwork({ identity, members, cluster: definition.definitionHash, listen: [(v['p2p-listen'] as string | undefined) ?? '/ip4/0.0.0.0/tcp/9000'] });
  try {
    const base: DkgOptions = {
      definition,
      identity,
      network,
      outputDir,
      ...(v['keystore-password'] ? { keystorePassword: v['keystore-password'] as string } : {}),
      onProgress: (p) => console.log(`[dkg ${p.phase}] ${p.message}`),
    };
    let out: DkgOutput;
    if (v['dealer-split']) {
      const dealer = Number(required(v, 'dealer', DKG_USAGE));
      const keysFile = v['existing-keys'] as string | undefined;
      const existingKeys = keysFile ? (JSON.parse(readFileSync(keysFile, 'utf8')) as string[]).map((k) => BigInt(k)) : undefined;
      out = await runDealerSplit({ ...base, dealer, ...(existingKeys ? { existingKeys } : {}) });
    } else {
      out = await runDkg(base);
    }
    console.log(`DKG done: lock ${out.lockPath}, deposit data ${out.depositDataPath}, ${out.keystorePaths.length} keystores`);
  } finally {
    await network.close();
  }
}

// ---- exit -----------------------------------------------------------------------------------------------------
const EXIT_USAGE = `usage: dv-node exit --data-dir DIR --validator 0xPUBKEY [--epoch N] [--lock FILE]

Asks this operator's running node (same --data-dir) to threshold-sign and submit a voluntary exit of the
validator. Every operator of the cluster runs it (t of them suffice) with the SAME --epoch: the exit message
signs the epoch, so partial signatures over different epochs never combine. Without --epoch the node uses the
epoch current when it picks the request up (fine when the operators act within one epoch). With --lock, the
validator is checked to belong to the cluster first.`;

async function cmdExit(args: string[]): Promise<void> {
  const v = parse(args, { 'data-dir': { type: 'string' }, validator: { type: 'string' }, epoch: { type: 'string' }, lock: { type: 'string' } }, EXIT_USAGE);
  const pubkey = required(v, 'validator', EXIT_USAGE).toLowerCase();
  if (!/^0x[0-9a-f]{96}$/.test(pubkey)) throw new UsageError(`--validator must be a 0x-prefixed 48-byte BLS public key, got "${pubkey}"`);
  if (typeof v.lock === 'string') {
    const lock = loadLock(v.lock);
    if (!lock.validators.some((x) => x.pubkey.toLowerCase() === pubkey)) throw new UsageError(`validator ${pubkey} is not in cluster lock ${v.lock}`);
  }
  const epoch = v.epoch === undefined ? undefined : Number(v.epoch);
  if (epoch !== undefined && !(Number.isSafeInteger(epoch) && epoch >= 0)) throw new UsageError(`--epoch must be a whole number, got "${v.epoch}"`);
  const dir = exitRequestDir(required(v, 'data-dir', EXIT_USAGE));
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `${pubkey}.tmp`);
  writeFileSync(tmp, JSON.stringify({ pubkey, ...(epoch === undefined ? {} : { epoch }) }));
  const { renameSync } = await import('node:fs');
  renameSync(tmp, join(dir, `${pubkey}.json`));
  console.log(`exit of ${pubkey} requested; the running node picks it up within a second (see its log: "voluntary exit requested")`);
}

// ---- slashing-protection -------------------------------------------------------------------------------------
const SP_USAGE = `usage: dv-node slashing-protection export --data-dir DIR (--beacon-url URL | --genesis-validators-root 0x…) --out FILE
       dv-node slashing-protection import --data-dir DIR (--beacon-url URL | --genesis-validators-root 0x…) --file FILE

EIP-3076 interchange (format version 5) of the node's slashing-protection database (DIR/${SLASHING_DB_FILE}).
Stop the node first: the database is locked while it runs.`;

async function cmdSlashing(args: string[]): Promise<void> {
  const sub = args[0];
  if (sub !== 'export' && sub !== 'import') {
    if (args.includes('--help') || args.includes('-h')) {
      console.log(SP_USAGE);
      return;
    }
    throw new UsageError(`expected "export" or "import"\n\n${SP_USAGE}`);
  }
  const v = parse(args.slice(1), { 'data-dir': { type: 'string' }, 'beacon-url': { type: 'string' }, 'genesis-validators-root': { type: 'string' }, out: { type: 'string' }, file: { type: 'string' } }, SP_USAGE);
  let gvr = v['genesis-validators-root'] as string | undefined;
  if (gvr === undefined) {
    if (typeof v['beacon-url'] !== 'string') throw new UsageError(`give --beacon-url or --genesis-validators-root\n\n${SP_USAGE}`);
    gvr = `0x${Buffer.from((await BeaconClient.connect(v['beacon-url'])).chain.genesisValidatorsRoot).toString('hex')}`;
  }
  if (!/^0x[0-9a-fA-F]{64}$/.test(gvr)) throw new UsageError(`--genesis-validators-root must be 32 bytes of 0x hex, got "${gvr}"`);
  const dir = required(v, 'data-dir', SP_USAGE);
  mkdirSync(dir, { recursive: true });
  const db = SlashingProtectionDb.open({ path: join(dir, SLASHING_DB_FILE), genesisValidatorsRoot: gvr });
  try {
    if (sub === 'export') {
      const out = required(v, 'out', SP_USAGE);
      const ic = db.exportInterchange();
      writeFileSync(out, `${JSON.stringify(ic, null, 2)}\n`);
      console.log(`exported ${ic.data.length} validator(s) to ${out}`);
    } else {
      const file = required(v, 'file', SP_USAGE);
      const r = db.importInterchange(JSON.parse(readFileSync(file, 'utf8')) as unknown);
      console.log(`imported ${r.validators} validator(s) from ${file}`);
    }
  } finally {
    db.close();
  }
}

// ---- status ---------------------------------------------------------------------------------------------------
const STATUS_USAGE = `usage: dv-node status [--ops-url URL] [--json]

Shows a running node's view of its cluster (peers, validators, recent duties) from its ops server
(default http://127.0.0.1:3610).`;

async function cmdStatus(args: string[]): Promise<void> {
  const v = parse(args, { 'ops-url': { type: 'string' }, json: { type: 'boolean' } }, STATUS_USAGE);
  const base = ((v['ops-url'] as string | undefined) ?? 'http://127.0.0.1:3610').replace(/\/+$/, '');
  let status: Record<string, unknown>;
  let ready: { ready: boolean; checks: Record<string, { ok: boolean; detail: string }> };
  try {
    status = (await (await fetch(`${base}/cluster`)).json()) as Record<string, unknown>;
    ready = (await (await fetch(`${base}/readiness`)).json()) as typeof ready;
  } catch (e) {
    throw new Error(`cannot reach the node's ops server at ${base}: ${(e as Error).message} (is "dv-node run" running with that --ops-port?)`);
  }
  if (v.json) {
    console.log(JSON.stringify({ ...status, readiness: ready }, null, 2));
    return;
  }
  const c = status.cluster as { name: string; lockHash: string; threshold: number; operators: number };
  console.log(`cluster ${c.name} (${c.lockHash}), threshold ${c.threshold} of ${c.operators}; slot ${status.slot}, epoch ${status.epoch}`);
  console.log(`ready: ${ready.ready}`);
  for (const [k, chk] of Object.entries(ready.checks)) console.log(`  ${chk.ok ? 'ok  ' : 'FAIL'} ${k}: ${chk.detail}`);
  console.log('peers:');
  for (const p of status.peers as { index: number; address: string; self: boolean; connected: boolean }[]) console.log(`  ${p.index} ${p.address} ${p.self ? '(this node)' : p.connected ? 'connected' : 'DISCONNECTED'}`);
  console.log('validators:');
  for (const x of status.validators as { pubkey: string; index?: number; status: string; balanceGwei?: number }[]) console.log(`  ${x.index ?? '?'} ${x.pubkey.slice(0, 18)}… ${x.status}${x.balanceGwei !== undefined ? ` ${(x.balanceGwei / 1e9).toFixed(6)} ETH` : ''}`);
  console.log('recent duties:');
  for (const r of (status.recent as { slot: number; type: string; validators: number; succeeded: number; failures: Record<string, number> }[]).slice(-10)) {
    console.log(`  slot ${r.slot} ${r.type}: ${r.succeeded}/${r.validators} ok${Object.keys(r.failures).length ? ` failures ${JSON.stringify(r.failures)}` : ''}`);
  }
}

// ---- main -----------------------------------------------------------------------------------------------------
const USAGE = `usage: dv-node <command> [options]   (dv-node <command> --help for each)

commands:
  create-cluster        write a cluster definition; "create-cluster sign" adds an operator's signature
  dkg                   run the distributed key generation (or --dealer-split) with the other operators
  run                   do the cluster's validator duties
  exit                  have the running node threshold-sign a voluntary exit
  slashing-protection   export | import an EIP-3076 interchange
  status                show a running node's cluster status`;

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  'create-cluster': cmdCreateCluster,
  dkg: cmdDkg,
  run: cmdRun,
  exit: cmdExit,
  'slashing-protection': cmdSlashing,
  status: cmdStatus,
};

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(USAGE);
    return cmd === undefined ? 2 : 0;
  }
  const f = COMMANDS[cmd];
  if (f === undefined) {
    console.error(`unknown command "${cmd}"\n\n${USAGE}`);
    return 2;
  }
  try {
    await f(rest);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) {
      console.error(`dv-node ${cmd}: ${e.message}`);
      return 2;
    }
    console.error(`dv-node ${cmd}: ${(e as Error).message}`);
    return 1;
  }
}

if (process.argv[1] !== undefined && /cli\.(ts|js|mjs)$/.test(process.argv[1])) {
  const code = await main(process.argv.slice(2));
  if (code !== 0 || !['run'].includes(process.argv[2] ?? '')) process.exitCode = code;
}
