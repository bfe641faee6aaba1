/**
 * The chain's system contracts that anvil lacks — the beacon deposit contract, the EIP-7002 withdrawal request
 * contract and the EIP-4788 beacon roots contract — as our own implementations (contracts/src/predeploys/), put at
 * their canonical addresses on an anvil, plus their addresses, typed ABIs and the small client-side helpers a beacon
 * chain needs (decode DepositEvent, run the EIP-7002 system call, write a 4788 root).
 *
 * Where the runtime code comes from (`loadPredeployRuntimeCode`), in order:
 *  1. the forge artifacts in `options.artifactsDir`, else `$SHOAL_FORGE_OUT`, else `<repo>/out` (what
 *     `npx forge build` / `npm test` write) — used only if the artifact was compiled from the sources as they are
 *     now (each source's keccak256 in the artifact metadata is checked against the file), so a stale `out/` is never
 *     installed;
 *  2. otherwise a private `forge build contracts/src/predeploys` into a fresh temporary directory (only our own
 *     sources are compiled, so someone else's broken file cannot block it; no shared `out/` is written, so parallel
 *     test processes cannot race), memoised per process (~2–5 s once).
 *
 * @example
 * const anvil = await startAnvil();
 * await installPredeploys(anvil.rpcUrl);
 * const root = await publicClient.readContract({ address: DEPOSIT_CONTRACT_ADDRESS, abi: depositContractAbi, functionName: 'get_deposit_root' });
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  decodeEventLog,
  http,
  keccak256,
  type Address,
  type Hex,
  type Log,
} from 'viem';
import { littleEndianToUint64 } from './ssz-deposit.ts';
import { foundryBinary } from './forge.ts';

// ------------------------------------------------------------------------------------------------ addresses

/** consensus-specs phase0 DEPOSIT_CONTRACT_ADDRESS (mainnet). */
export const DEPOSIT_CONTRACT_ADDRESS = '0x00000000219ab540356cBB839Cbe05303d7705Fa' as const satisfies Address;
/** EIP-7002 WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS. */
export const WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS = '0x00000961Ef480Eb55e80D19ad83579A64c007002' as const satisfies Address;
/** EIP-4788 BEACON_ROOTS_ADDRESS. */
export const BEACON_ROOTS_ADDRESS = '0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02' as const satisfies Address;
/** EIP-4788 / EIP-7002 SYSTEM_ADDRESS, the caller of the clients' system calls. */
export const SYSTEM_ADDRESS = '0xfffffffffffffffffffffffffffffffffffffffe' as const satisfies Address;
/** EIP-4788 HISTORY_BUFFER_LENGTH. */
export const BEACON_ROOTS_HISTORY_BUFFER_LENGTH = 8191n;
/** EIP-7002: a dequeued request is source (20) ‖ pubkey (48) ‖ amount (8, little-endian). */
export const WITHDRAWAL_REQUEST_LENGTH = 76;

// ------------------------------------------------------------------------------------------------ ABIs

/** `DepositEvent(bytes pubkey, bytes withdrawal_credentials, bytes amount, bytes signature, bytes index)`. */
export const depositEventAbi = {
  type: 'event',
  name: 'DepositEvent',
  anonymous: false,
  inputs: [
    { name: 'pubkey', type: 'bytes', indexed: false, internalType: 'bytes' },
    { name: 'withdrawal_credentials', type: 'bytes', indexed: false, internalType: 'bytes' },
    { name: 'amount', type: 'bytes', indexed: false, internalType: 'bytes' },
    { name: 'signature', type: 'bytes', indexed: false, internalType: 'bytes' },
    { name: 'index', type: 'bytes', indexed: false, internalType: 'bytes' },
  ],
} as const;

/** The full ABI of contracts/src/predeploys/DepositContract.sol (checked against the forge artifact in tests). */
export const depositContractAbi = [
  {
    type: 'function',
    name: 'deposit',
    stateMutability: 'payable',
    inputs: [
      { name: 'pubkey', type: 'bytes', internalType: 'bytes' },
      { name: 'withdrawal_credentials', type: 'bytes', internalType: 'bytes' },
      { name: 'signature', type: 'bytes', internalType: 'bytes' },
      { name: 'deposit_data_root', type: 'bytes32', internalType: 'bytes32' },
    ],
    outputs: [],
  },
  {
    type: 'function',
    name: 'get_deposit_root',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: 'root', type: 'bytes32', internalType: 'bytes32' }],
  },
  {
    type: 'function',
    name: 'get_deposit_count',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'bytes', internalType: 'bytes' }],
  },
  {
    type: 'function',
    name: 'supportsInterface',
    stateMutability: 'pure',
    inputs: [{ name: 'interfaceId', type: 'bytes4', internalType: 'bytes4' }],
    outputs: [{ name: '', type: 'bool', internalType: 'bool' }],
  },
  depositEventAbi,
  {
    type: 'error',
    name: 'DepositDataRootMismatch',
    inputs: [
      { name: 'provided', type: 'bytes32', internalType: 'bytes32' },
      { name: 'computed', type: 'bytes32', internalType: 'bytes32' },
    ],
  },
  { type: 'error', name: 'DepositTreeFull', inputs: [] },
  { type: 'error', name: 'DepositValueNotMultipleOfGwei', inputs: [{ name: 'value', type: 'uint256', internalType: 'uint256' }] },
  { type: 'error', name: 'DepositValueTooHigh', inputs: [{ name: 'value', type: 'uint256', internalType: 'uint256' }] },
  { type: 'error', name: 'DepositValueTooLow', inputs: [{ name: 'value', type: 'uint256', internalType: 'uint256' }] },
  { type: 'error', name: 'InvalidPubkeyLength', inputs: [{ name: 'length', type: 'uint256', internalType: 'uint256' }] },
  { type: 'error', name: 'InvalidSignatureLength', inputs: [{ name: 'length', type: 'uint256', internalType: 'uint256' }] },
  {
    type: 'error',
    name: 'InvalidWithdrawalCredentialsLength',
    inputs: [{ name: 'length', type: 'uint256', internalType: 'uint256' }],
  },
] as const;

/** A DepositEvent with its SSZ fields decoded (amount and index are little-endian uint64 in the log). */
export interface DecodedDepositEvent {
  pubkey: Hex;
  withdrawalCredentials: Hex;
  amountGwei: bigint;
  signature: Hex;
  index: bigint;
}

/** Decodes one DepositEvent log (throws if the log is not one, or its fields have the wrong sizes). */
export function decodeDepositEvent(log: Pick<Log, 'data' | 'topics'>): DecodedDepositEvent {
  const { args } = decodeEventLog({ abi: [depositEventAbi], data: log.data, topics: log.topics as [Hex, ...Hex[]] });
  return {
    pubkey: args.pubkey,
    withdrawalCredentials: args.withdrawal_credentials,
    amountGwei: littleEndianToUint64(args.amount),
    signature: args.signature,
    index: littleEndianToUint64(args.index),
  };
}

// ------------------------------------------------------------------------------------------------ runtime code

/** The three contracts: their source path (as forge records it) and contract name. */
export const PREDEPLOY_SOURCES = {
  depositContract: { source: 'contracts/src/predeploys/DepositContract.sol', contract: 'DepositContract' },
  withdrawalRequest: {
    source: 'contracts/src/predeploys/WithdrawalRequestPredeploy.sol',
    contract: 'WithdrawalRequestPredeploy',
  },
  beaconRoots: { source: 'contracts/src/predeploys/BeaconRootsPredeploy.sol', contract: 'BeaconRootsPredeploy' },
} as const;

export type PredeployName = keyof typeof PREDEPLOY_SOURCES;

export const PREDEPLOY_ADDRESSES: Record<PredeployName, Address> = {
  depositContract: DEPOSIT_CONTRACT_ADDRESS,
  withdrawalRequest: WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS,
  beaconRoots: BEACON_ROOTS_ADDRESS,
};

export interface LoadPredeploysOptions {
  /** A forge `out/` directory to read first (default: $SHOAL_FORGE_OUT, else <repo>/out). */
  artifactsDir?: string;
  /** Repository root (default: two levels above this file). */
  repoRoot?: string;
}

export interface PredeployRuntimeCode {
  code: Record<PredeployName, Hex>;
  /** The ABI from each forge artifact (the EIP-7002/4788 contracts have only a fallback and errors). */
  abi: Record<PredeployName, unknown[]>;
  /** Where the code came from: an existing artifacts directory, or a private build. */
  origin: { kind: 'artifacts'; dir: string } | { kind: 'build' };
}

interface ForgeArtifact {
  abi: unknown[];
  deployedBytecode: { object: string };
  metadata?: { settings?: { compilationTarget?: Record<string, string> }; sources?: Record<string, { keccak256?: string }> };
}

const here = dirname(fileURLToPath(import.meta.url));
const defaultRepoRoot = resolve(here, '..');

/** Finds `<Contract>.json` compiled from `source` under a forge out dir (forge nests paths when file names clash). */
function findArtifact(outDir: string, source: string, contract: string): ForgeArtifact | undefined {
  const fileName = source.split('/').pop()!;
  const candidates: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 6 || !existsSync(dir)) return;
    for (const entry of readdirSync(dir)) {
      const p = join(dir, entry);
      if (!statSync(p).isDirectory()) continue;
      if (entry === fileName) candidates.push(join(p, `${contract}.json`));
      else if (entry !== 'build-info') walk(p, depth + 1);
    }
  };
  walk(outDir, 0);
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const artifact = JSON.parse(readFileSync(file, 'utf8')) as ForgeArtifact;
    if (artifact.metadata?.settings?.compilationTarget?.[source] === contract) return artifact;
  }
  return undefined;
}

/** True if every source the artifact was compiled from still has the same keccak256 on disk. */
function isFresh(artifact: ForgeArtifact, repoRoot: string): boolean {
  const sources = artifact.metadata?.sources;
  if (!sources || Object.keys(sources).length === 0) return false;
  for (const [path, { keccak256: expected }] of Object.entries(sources)) {
    const file = join(repoRoot, path);
    if (!expected || !existsSync(file)) return false;
    if (keccak256(readFileSync(file)) !== expected) return false;
  }
  return true;
}

type Compiled = Pick<PredeployRuntimeCode, 'code' | 'abi'>;

function readAll(outDir: string, repoRoot: string): Compiled | undefined {
  const code: Partial<Record<PredeployName, Hex>> = {};
  const abi: Partial<Record<PredeployName, unknown[]>> = {};
  for (const [name, { source, contract }] of Object.entries(PREDEPLOY_SOURCES) as [PredeployName, { source: string; contract: string }][]) {
    const artifact = findArtifact(outDir, source, contract);
    if (!artifact || !isFresh(artifact, repoRoot)) return undefined;
    const object = artifact.deployedBytecode.object;
    if (!/^0x[0-9a-fA-F]+$/.test(object) || object.length <= 2) return undefined;
    code[name] = object as Hex;
    abi[name] = artifact.abi;
  }
  return { code: code as Record<PredeployName, Hex>, abi: abi as Record<PredeployName, unknown[]> };
}

/** Path of the forge binary from the @foundry-rs platform package (real exit codes, unlike the npm launcher). */
export function forgeBinary(): string {
  return foundryBinary('forge');
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', (err) => reject(new Error(`could not run ${cmd}: ${err.message}. Run \`npm ci\`.`)));
    child.once('exit', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${code}):\n${output}`)),
    );
  });
}

const builds = new Map<string, Promise<Compiled>>();

/** Compiles only contracts/src/predeploys into a fresh temporary directory and reads the runtime code. */
function buildPrivately(repoRoot: string): Promise<Compiled> {
  let pending = builds.get(repoRoot);
  if (!pending) {
    pending = (async () => {
      const dir = mkdtempSync(join(tmpdir(), 'shoal-predeploys-'));
      try {
        const out = join(dir, 'out');
        await run(forgeBinary(), ['build', 'contracts/src/predeploys'], repoRoot, {
          ...process.env,
          FOUNDRY_OUT: out,
          FOUNDRY_CACHE_PATH: join(dir, 'cache'),
        });
        const compiled = readAll(out, repoRoot);
        if (!compiled) throw new Error(`forge build succeeded but the predeploy artifacts are missing in ${out}`);
        return compiled;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    })();
    builds.set(repoRoot, pending);
    pending.catch(() => builds.delete(repoRoot));
  }
  return pending;
}

/** The runtime bytecode of the three system contracts (see the file header for where it comes from). */
export async function loadPredeployRuntimeCode(options: LoadPredeploysOptions = {}): Promise<PredeployRuntimeCode> {
  const repoRoot = options.repoRoot ?? defaultRepoRoot;
  const dir = resolve(repoRoot, options.artifactsDir ?? process.env.SHOAL_FORGE_OUT ?? 'out');
  const fromArtifacts = readAll(dir, repoRoot);
  if (fromArtifacts) return { ...fromArtifacts, origin: { kind: 'artifacts', dir } };
  return { ...(await buildPrivately(repoRoot)), origin: { kind: 'build' } };
}

// ------------------------------------------------------------------------------------------------ anvil

export interface InstallPredeploysResult extends PredeployRuntimeCode {
  addresses: typeof PREDEPLOY_ADDRESSES;
}

/**
 * Puts the runtime code of the three system contracts at their canonical addresses on the anvil at `rpcUrl`
 * (`anvil_setCode`; storage is left as it is, so on a fresh chain the deposit tree is empty and the EIP-7002 fee
 * is 1 wei). Idempotent. Throws if the code read back differs.
 */
export async function installPredeploys(rpcUrl: string, options: LoadPredeploysOptions = {}): Promise<InstallPredeploysResult> {
  const runtime = await loadPredeployRuntimeCode(options);
  const transport = http(rpcUrl);
  const test = createTestClient({ mode: 'anvil', transport });
  const client = createPublicClient({ transport });
  for (const name of Object.keys(PREDEPLOY_ADDRESSES) as PredeployName[]) {
    await test.setCode({ address: PREDEPLOY_ADDRESSES[name], bytecode: runtime.code[name] });
    const onChain = await client.getCode({ address: PREDEPLOY_ADDRESSES[name] });
    if (onChain?.toLowerCase() !== runtime.code[name].toLowerCase()) {
      throw new Error(`anvil_setCode at ${PREDEPLOY_ADDRESSES[name]} (${name}) did not take effect on ${rpcUrl}`);
    }
  }
  return { ...runtime, addresses: PREDEPLOY_ADDRESSES };
}

/** One EIP-7002 request as the system call returns it (EIP-7685 request data of type 0x01). */
export interface WithdrawalRequest {
  sourceAddress: Address;
  validatorPubkey: Hex;
  amountGwei: bigint;
}

/** Splits the EIP-7002 system call's output (76 bytes per request). */
export function parseWithdrawalRequests(data: Hex): WithdrawalRequest[] {
  const hex = data.slice(2);
  if (hex.length % (WITHDRAWAL_REQUEST_LENGTH * 2) !== 0) {
    throw new Error(`EIP-7002 output: expected a multiple of ${WITHDRAWAL_REQUEST_LENGTH} bytes, got ${hex.length / 2}`);
  }
  const out: WithdrawalRequest[] = [];
  for (let i = 0; i < hex.length; i += WITHDRAWAL_REQUEST_LENGTH * 2) {
    out.push({
      sourceAddress: `0x${hex.slice(i, i + 40)}`,
      validatorPubkey: `0x${hex.slice(i + 40, i + 136)}`,
      amountGwei: littleEndianToUint64(`0x${hex.slice(i + 136, i + 152)}`),
    });
  }
  return out;
}

/**
 * Plays the end-of-block EIP-7002 system call on anvil (which never makes it): reads what the call returns, then
 * sends it as a transaction from SYSTEM_ADDRESS (impersonated, funded for gas) so the queue and the fee excess move.
 * With automine the two see the same state; with interval mining, call it between blocks.
 */
export async function dequeueWithdrawalRequests(rpcUrl: string): Promise<WithdrawalRequest[]> {
  const transport = http(rpcUrl);
  const test = createTestClient({ mode: 'anvil', transport });
  const client = createPublicClient({ transport, pollingInterval: 50 });
  const { data } = await client.call({ account: SYSTEM_ADDRESS, to: WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, data: '0x' });
  await test.setBalance({ address: SYSTEM_ADDRESS, value: 10n ** 18n });
  await test.impersonateAccount({ address: SYSTEM_ADDRESS });
  try {
    const wallet = createWalletClient({ account: SYSTEM_ADDRESS, transport });
    // EIP-7002: the system call has a dedicated gas limit of 30,000,000
    const hash = await wallet.sendTransaction({ to: WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, data: '0x', gas: 30_000_000n, chain: null });
    const receipt = await client.waitForTransactionReceipt({ hash, timeout: 10_000 });
    if (receipt.status !== 'success') throw new Error(`EIP-7002 system call reverted (tx ${hash})`);
  } finally {
    await test.stopImpersonatingAccount({ address: SYSTEM_ADDRESS });
  }
  return parseWithdrawalRequests(data ?? '0x');
}

/** The current EIP-7002 fee in wei. */
export async function withdrawalRequestFee(rpcUrl: string): Promise<bigint> {
  const client = createPublicClient({ transport: http(rpcUrl) });
  const { data } = await client.call({ to: WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, data: '0x' });
  if (!data || data.length !== 66) throw new Error(`EIP-7002 fee getter returned ${data ?? 'nothing'}`);
  return BigInt(data);
}

/**
 * Records `root` as the parent beacon block root for `timestamp` in the EIP-4788 contract, writing its two ring
 * buffer slots directly (`anvil_setStorageAt`), exactly as the system call at a block of that timestamp would.
 */
export async function writeBeaconRoot(rpcUrl: string, timestamp: bigint, root: Hex): Promise<void> {
  if (timestamp <= 0n) throw new Error(`timestamp: expected > 0, got ${timestamp}`);
  if (!/^0x[0-9a-fA-F]{64}$/.test(root)) throw new Error(`root: expected 32 bytes of hex, got ${root}`);
  const test = createTestClient({ mode: 'anvil', transport: http(rpcUrl) });
  const idx = timestamp % BEACON_ROOTS_HISTORY_BUFFER_LENGTH;
  const word = (v: bigint): Hex => `0x${v.toString(16).padStart(64, '0')}`;
  await test.setStorageAt({ address: BEACON_ROOTS_ADDRESS, index: word(idx), value: word(timestamp) });
  await test.setStorageAt({ address: BEACON_ROOTS_ADDRESS, index: word(idx + BEACON_ROOTS_HISTORY_BUFFER_LENGTH), value: root });
}
