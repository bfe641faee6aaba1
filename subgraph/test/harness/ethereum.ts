/**
 * Builds graph-ts `ethereum.Event` objects in a mapping's memory from real JSON-RPC data, with the layouts of
 * graph-ts `chain/ethereum.ts`:
 *   Event       { address, logIndex, transactionLogIndex, logType: string|null, block, transaction,
 *                 parameters: Array<EventParam>, receipt: TransactionReceipt|null }
 *   Block       { hash, parentHash, unclesHash, author, stateRoot, transactionsRoot, receiptsRoot, number, gasUsed,
 *                 gasLimit, timestamp, difficulty, totalDifficulty, size: BigInt|null, baseFeePerGas: BigInt|null }
 *   Transaction { hash, index, from, to: Address|null, value, gasLimit, gasPrice, input, nonce }
 *   EventParam  { name: string, value: ethereum.Value }
 *   Value       { kind: ValueKind (i32), data: u64 (a pointer or a bool) }
 */
import { decodeEventLog, hexToBytes, type Hex } from 'viem';
import type { AscHeap } from './asc.ts';
import { writeBigInt } from './host.ts';

/** graph-ts `ethereum.ValueKind`. */
export const EthKind = {
  ADDRESS: 0,
  FIXED_BYTES: 1,
  BYTES: 2,
  INT: 3,
  UINT: 4,
  BOOL: 5,
  STRING: 6,
  FIXED_ARRAY: 7,
  ARRAY: 8,
  TUPLE: 9,
} as const;

export interface AbiParam {
  name: string;
  type: string;
  indexed?: boolean;
  components?: AbiParam[];
}

export interface AbiEventItem {
  type: 'event';
  name: string;
  inputs: AbiParam[];
  anonymous?: boolean;
}

export interface RpcLog {
  address: Hex;
  topics: readonly Hex[];
  data: Hex;
  logIndex: number;
  transactionHash: Hex;
  blockNumber: bigint;
}

export interface RpcBlock {
  hash: Hex;
  parentHash: Hex;
  sha3Uncles: Hex;
  miner: Hex;
  stateRoot: Hex;
  transactionsRoot: Hex;
  receiptsRoot: Hex;
  number: bigint;
  gasUsed: bigint;
  gasLimit: bigint;
  timestamp: bigint;
  difficulty: bigint;
  totalDifficulty: bigint | null;
  size: bigint;
  baseFeePerGas: bigint | null;
}

export interface RpcTransaction {
  hash: Hex;
  transactionIndex: number;
  from: Hex;
  to: Hex | null;
  value: bigint;
  gas: bigint;
  gasPrice?: bigint | undefined;
  input: Hex;
  nonce: number;
}

const bytes = (heap: AscHeap, hex: Hex): number => heap.writeBytes(hexToBytes(hex));
const big = (heap: AscHeap, v: bigint): number => writeBigInt(heap, v);

function isDynamic(p: AbiParam): boolean {
  return p.type === 'string' || p.type === 'bytes' || p.type.endsWith(']') || p.type.startsWith('tuple');
}

/** An ethereum.Value for one ABI-typed value (as viem decodes it). */
export function writeEthValue(heap: AscHeap, p: AbiParam, v: unknown): number {
  const value = (kind: number, payload: number | bigint): number =>
    heap.writeEnum(kind, typeof payload === 'bigint' ? payload : BigInt(payload), 'EthereumValue');
  const arr = p.type.match(/^(.*)\[(\d*)\]$/);
  if (arr) {
    const inner: AbiParam = { ...p, type: arr[1]!, indexed: false };
    const items = (v as readonly unknown[]).map((x) => writeEthValue(heap, inner, x));
    const kind = arr[2] === '' ? EthKind.ARRAY : EthKind.FIXED_ARRAY;
    return value(kind, heap.writePointerArray(items, 'ArrayEthereumValue'));
  }
  if (p.type === 'tuple') {
    const comps = p.components ?? [];
    const rec = v as Record<string, unknown> & readonly unknown[];
    const items = comps.map((c, i) => writeEthValue(heap, c, c.name && c.name in rec ? rec[c.name] : rec[i]));
    return value(EthKind.TUPLE, heap.writePointerArray(items, 'ArrayEthereumValue'));
  }
  if (p.type === 'address') return value(EthKind.ADDRESS, bytes(heap, v as Hex));
  if (p.type === 'bool') return value(EthKind.BOOL, v ? 1 : 0);
  if (p.type === 'string') return value(EthKind.STRING, heap.writeString(v as string));
  if (p.type === 'bytes') return value(EthKind.BYTES, bytes(heap, v as Hex));
  if (/^bytes\d+$/.test(p.type)) return value(EthKind.FIXED_BYTES, bytes(heap, v as Hex));
  if (/^uint\d*$/.test(p.type)) return value(EthKind.UINT, big(heap, BigInt(v as bigint | number)));
  if (/^int\d*$/.test(p.type)) return value(EthKind.INT, big(heap, BigInt(v as bigint | number)));
  throw new Error(`ABI type ${p.type} is not supported by the harness`);
}

/** The decoded parameters of a log, in ABI order, as an Array<EventParam>. */
export function writeEventParams(heap: AscHeap, ev: AbiEventItem, log: RpcLog): number {
  const decoded = decodeEventLog({ abi: [ev], data: log.data, topics: log.topics as [Hex, ...Hex[]], strict: true });
  const args = decoded.args as unknown as Record<string, unknown> & readonly unknown[];
  const params = ev.inputs.map((p, i) => {
    const raw = p.name && p.name in args ? args[p.name] : args[i];
    // an indexed dynamic value is only its topic (keccak256 of the value): graph-node passes the 32 bytes
    const v =
      p.indexed && isDynamic(p)
        ? heap.writeEnum(EthKind.FIXED_BYTES, BigInt(bytes(heap, raw as Hex)), 'EthereumValue')
        : writeEthValue(heap, p, raw);
    return heap.writeStruct([heap.writeString(p.name), v], 'EventParam');
  });
  return heap.writePointerArray(params, 'ArrayEventParam');
}

export function writeBlock(heap: AscHeap, b: RpcBlock): number {
  return heap.writeStruct(
    [
      bytes(heap, b.hash),
      bytes(heap, b.parentHash),
      bytes(heap, b.sha3Uncles),
      bytes(heap, b.miner),
      bytes(heap, b.stateRoot),
      bytes(heap, b.transactionsRoot),
      bytes(heap, b.receiptsRoot),
      big(heap, b.number),
      big(heap, b.gasUsed),
      big(heap, b.gasLimit),
      big(heap, b.timestamp),
      big(heap, b.difficulty),
      big(heap, b.totalDifficulty ?? 0n),
      big(heap, b.size),
      b.baseFeePerGas === null ? 0 : big(heap, b.baseFeePerGas),
    ],
    'EthereumBlock',
  );
}

export function writeTransaction(heap: AscHeap, t: RpcTransaction): number {
  return heap.writeStruct(
    [
      bytes(heap, t.hash),
      big(heap, BigInt(t.transactionIndex)),
      bytes(heap, t.from),
      t.to === null ? 0 : bytes(heap, t.to),
      big(heap, t.value),
      big(heap, t.gas),
      big(heap, t.gasPrice ?? 0n),
      bytes(heap, t.input),
      big(heap, BigInt(t.nonce)),
    ],
    'EthereumTransaction',
  );
}

/** A whole ethereum.Event; `transactionLogIndex` is the log's position within its transaction. */
export function writeEvent(
  heap: AscHeap,
  ev: AbiEventItem,
  log: RpcLog,
  block: RpcBlock,
  tx: RpcTransaction,
  transactionLogIndex: number,
): number {
  return heap.writeStruct(
    [
      bytes(heap, log.address),
      big(heap, BigInt(log.logIndex)),
      big(heap, BigInt(transactionLogIndex)),
      0, // logType: null (graph-node passes the node's value; anvil has none)
      writeBlock(heap, block),
      writeTransaction(heap, tx),
      writeEventParams(heap, ev, log),
      0, // receipt: only with `receipt: true` on the handler, which this subgraph does not use
    ],
    'EthereumEvent',
  );
}
