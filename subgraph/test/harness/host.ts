/**
 * The host functions a graph-ts mapping imports (graph-node's `runtime/wasm` host exports), implemented over an
 * AscHeap and an EntityStore. Imports are resolved by name (`store.set`, `bigInt.plus`, ...) whatever module
 * the compiler put them in; an import the harness does not implement fails at instantiation, naming it, so a
 * mapping that starts using a new host function cannot silently pass.
 */
import { bytesToHex, getAddress, hexToBytes, keccak256 } from 'viem';
import type { AscHeap } from './asc.ts';
import {
  bigintFromLeBytes,
  bigintToLeBytes,
  decimalDiv,
  decimalEquals,
  decimalFromString,
  decimalMinus,
  decimalPlus,
  decimalTimes,
  decimalToString,
  type Decimal,
} from './numbers.ts';
import { StoreKind, type EntityData, type EntityStore, type StoreValue } from './store.ts';

export interface LogLine {
  level: number;
  message: string;
}

/** graph-ts `log.Level`: CRITICAL stops the subgraph in graph-node, so it throws here. */
export const LogLevel = { CRITICAL: 0, ERROR: 1, WARNING: 2, INFO: 3, DEBUG: 4 } as const;

export interface HostContext {
  heap: AscHeap;
  store: EntityStore;
  dataSource: { name: string; address: `0x${string}`; network: string };
  logs: LogLine[];
}

// ------------------------------------------------------------------------------------------ value codecs
export function readBigInt(heap: AscHeap, ptr: number): bigint {
  return bigintFromLeBytes(heap.readBytes(ptr));
}

export function writeBigInt(heap: AscHeap, v: bigint): number {
  return heap.writeBytes(bigintToLeBytes(v));
}

export function readDecimal(heap: AscHeap, ptr: number): Decimal {
  return { digits: readBigInt(heap, heap.u32(ptr)), exp: readBigInt(heap, heap.u32(ptr + 4)) };
}

export function writeDecimal(heap: AscHeap, d: Decimal): number {
  const digits = writeBigInt(heap, d.digits);
  const exp = writeBigInt(heap, d.exp);
  return heap.writeStruct([digits, exp], 'BigDecimal');
}

export function readStoreValue(heap: AscHeap, ptr: number): StoreValue {
  const { kind, payload } = heap.readEnum(ptr);
  const p = Number(payload & 0xffffffffn);
  switch (kind) {
    case StoreKind.STRING:
      return { kind, value: heap.readString(p) };
    case StoreKind.INT:
      return { kind, value: p | 0 };
    case StoreKind.BIGDECIMAL:
      return { kind, value: readDecimal(heap, p) };
    case StoreKind.BOOL:
      return { kind, value: payload !== 0n };
    case StoreKind.ARRAY:
      return { kind, value: heap.readPointerArray(p).map((q) => readStoreValue(heap, q)) };
    case StoreKind.NULL:
      return { kind };
    case StoreKind.BYTES:
      return { kind, value: heap.readBytes(p) };
    case StoreKind.BIGINT:
      return { kind, value: readBigInt(heap, p) };
    case StoreKind.INT8:
    case StoreKind.TIMESTAMP:
      return { kind, value: BigInt.asIntN(64, payload) };
    default:
      throw new Error(`unknown store value kind ${kind}`);
  }
}

export function writeStoreValue(heap: AscHeap, v: StoreValue): number {
  switch (v.kind) {
    case StoreKind.STRING:
      return heap.writeEnum(v.kind, BigInt(heap.writeString(v.value)), 'StoreValue');
    case StoreKind.INT:
      return heap.writeEnum(v.kind, BigInt(v.value >>> 0), 'StoreValue');
    case StoreKind.BIGDECIMAL:
      return heap.writeEnum(v.kind, BigInt(writeDecimal(heap, v.value)), 'StoreValue');
    case StoreKind.BOOL:
      return heap.writeEnum(v.kind, v.value ? 1n : 0n, 'StoreValue');
    case StoreKind.ARRAY: {
      const items = v.value.map((x) => writeStoreValue(heap, x));
      return heap.writeEnum(v.kind, BigInt(heap.writePointerArray(items, 'ArrayStoreValue')), 'StoreValue');
    }
    case StoreKind.NULL:
      return heap.writeEnum(v.kind, 0n, 'StoreValue');
    case StoreKind.BYTES:
      return heap.writeEnum(v.kind, BigInt(heap.writeBytes(v.value)), 'StoreValue');
    case StoreKind.BIGINT:
      return heap.writeEnum(v.kind, BigInt(writeBigInt(heap, v.value)), 'StoreValue');
    default:
      return heap.writeEnum(v.kind, BigInt.asUintN(64, v.value), 'StoreValue');
  }
}

/** Entity = TypedMap<string, Value> { entries: Array<TypedMapEntry { key: string, value: Value }> }. */
export function readEntity(heap: AscHeap, ptr: number): EntityData {
  const out: EntityData = new Map();
  for (const entry of heap.readPointerArray(heap.u32(ptr))) {
    out.set(heap.readString(heap.u32(entry)), readStoreValue(heap, heap.u32(entry + 4)));
  }
  return out;
}

export function writeEntity(heap: AscHeap, e: EntityData): number {
  const entries: number[] = [];
  for (const [k, v] of e) {
    entries.push(heap.writeStruct([heap.writeString(k), writeStoreValue(heap, v)], 'TypedMapEntryStringStoreValue'));
  }
  const arr = heap.writePointerArray(entries, 'ArrayTypedMapEntryStringStoreValue');
  return heap.writeStruct([arr], 'TypedMapStringStoreValue');
}

// ------------------------------------------------------------------------------------------ host functions
type HostFn = (...args: number[]) => number | void;

function hexOf(bytes: Uint8Array): string {
  return bytesToHex(bytes);
}

/** The host functions by their import name. */
export function hostFunctions(ctx: HostContext): Record<string, HostFn> {
  const { heap, store } = ctx;
  const big = (p: number): bigint => readBigInt(heap, p);
  const outBig = (v: bigint): number => writeBigInt(heap, v);
  const dec = (p: number): Decimal => readDecimal(heap, p);
  const outDec = (d: Decimal): number => writeDecimal(heap, d);
  const str = (p: number): string => heap.readString(p);

  return {
    abort(msg: number, file: number, line: number, col: number) {
      const m = msg ? str(msg) : '(no message)';
      const f = file ? str(file) : '?';
      throw new Error(`mapping aborted: ${m} (${f}:${line}:${col}) in ${ctx.dataSource.name}`);
    },

    // store
    'store.get'(entity: number, id: number) {
      const e = store.get(str(entity), str(id));
      return e ? writeEntity(heap, e) : 0;
    },
    'store.get_in_block'(entity: number, id: number) {
      const e = store.get(str(entity), str(id));
      return e ? writeEntity(heap, e) : 0;
    },
    'store.set'(entity: number, id: number, data: number) {
      store.set(str(entity), str(id), readEntity(heap, data));
    },
    'store.remove'(entity: number, id: number) {
      store.remove(str(entity), str(id));
    },

    // type conversion
    'typeConversion.bytesToString'(p: number) {
      return heap.writeString(new TextDecoder().decode(heap.readBytes(p)).replace(/\u0000/g, ''));
    },
    'typeConversion.bytesToHex'(p: number) {
      return heap.writeString(hexOf(heap.readBytes(p)));
    },
    'typeConversion.bigIntToString'(p: number) {
      return heap.writeString(big(p).toString());
    },
    'typeConversion.bigIntToHex'(p: number) {
      const v = big(p);
      return heap.writeString(v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);
    },
    'typeConversion.stringToH160'(p: number) {
      return heap.writeBytes(hexToBytes(getAddress(str(p))));
    },

    // BigInt
    'bigInt.plus': (x: number, y: number) => outBig(big(x) + big(y)),
    'bigInt.minus': (x: number, y: number) => outBig(big(x) - big(y)),
    'bigInt.times': (x: number, y: number) => outBig(big(x) * big(y)),
    'bigInt.dividedBy'(x: number, y: number) {
      const d = big(y);
      if (d === 0n) throw new Error('BigInt division by zero');
      return outBig(big(x) / d); // truncates toward zero, as num-bigint
    },
    'bigInt.dividedByDecimal': (x: number, y: number) => outDec(decimalDiv({ digits: big(x), exp: 0n }, dec(y))),
    'bigInt.mod'(x: number, y: number) {
      const d = big(y);
      if (d === 0n) throw new Error('BigInt modulo by zero');
      return outBig(big(x) % d);
    },
    'bigInt.pow': (x: number, exp: number) => outBig(big(x) ** BigInt(exp & 0xff)),
    'bigInt.fromString'(s: number) {
      const text = str(s);
      if (!/^-?\d+$/.test(text)) throw new Error(`BigInt.fromString: '${text}' is not a decimal integer`);
      return outBig(BigInt(text));
    },
    'bigInt.bitOr': (x: number, y: number) => outBig(big(x) | big(y)),
    'bigInt.bitAnd': (x: number, y: number) => outBig(big(x) & big(y)),
    'bigInt.leftShift': (x: number, bits: number) => outBig(big(x) << BigInt(bits & 0xff)),
    'bigInt.rightShift': (x: number, bits: number) => outBig(big(x) >> BigInt(bits & 0xff)),

    // BigDecimal
    'bigDecimal.plus': (x: number, y: number) => outDec(decimalPlus(dec(x), dec(y))),
    'bigDecimal.minus': (x: number, y: number) => outDec(decimalMinus(dec(x), dec(y))),
    'bigDecimal.times': (x: number, y: number) => outDec(decimalTimes(dec(x), dec(y))),
    'bigDecimal.dividedBy': (x: number, y: number) => outDec(decimalDiv(dec(x), dec(y))),
    'bigDecimal.equals': (x: number, y: number) => (decimalEquals(dec(x), dec(y)) ? 1 : 0),
    'bigDecimal.toString': (x: number) => heap.writeString(decimalToString(dec(x))),
    'bigDecimal.fromString': (s: number) => outDec(decimalFromString(str(s))),

    // crypto, log, data source
    'crypto.keccak256': (p: number) => heap.writeBytes(hexToBytes(keccak256(heap.readBytes(p)))),
    'log.log'(level: number, msg: number) {
      const message = str(msg);
      ctx.logs.push({ level, message });
      if (level === LogLevel.CRITICAL) throw new Error(`critical log in ${ctx.dataSource.name}: ${message}`);
    },
    'dataSource.address': () => heap.writeBytes(hexToBytes(ctx.dataSource.address)),
    'dataSource.network': () => heap.writeString(ctx.dataSource.network),
  };
}

/** The import object for a module: every import resolved by name, or an error naming what is missing. */
export function buildImports(module: WebAssembly.Module, ctx: HostContext): WebAssembly.Imports {
  const fns = hostFunctions(ctx);
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  const missing: string[] = [];
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== 'function') {
      missing.push(`${imp.module}.${imp.name} (${imp.kind})`);
      continue;
    }
    const fn = fns[imp.name];
    if (!fn) {
      missing.push(`${imp.module}.${imp.name}`);
      continue;
    }
    (imports[imp.module] ??= {})[imp.name] = fn as WebAssembly.ImportValue;
  }
  if (missing.length > 0) {
    throw new Error(`the mapping of ${ctx.dataSource.name} imports host functions the harness lacks: ${missing.join(', ')}`);
  }
  return imports;
}
