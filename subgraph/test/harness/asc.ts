/**
 * Reading and writing AssemblyScript objects in a mapping's linear memory, as graph-node does.
 *
 * Layouts (AssemblyScript 0.19, the compiler graph-cli 0.98 uses, 32-bit pointers, stub runtime):
 *   every object has a 20-byte header before its pointer: mmInfo, gcInfo, gcInfo2, rtId (class id) at −8, rtSize
 *   (payload bytes) at −4.
 *   String       UTF-16LE code units, length = rtSize / 2
 *   ArrayBuffer  bytes, length = rtSize
 *   Uint8Array   { buffer: ArrayBuffer, dataStart: usize, byteLength: i32 }      (Bytes, Address, BigInt)
 *   Array<T>     { buffer: ArrayBuffer, dataStart: usize, byteLength: i32, length: i32 }
 *   class fields in declaration order, each aligned to its size (a u64 after an i32 sits at offset 8).
 * Class ids come from the mapping's own `id_of_type(TypeId)` export (graph-ts `global/global.ts`), exactly the
 * way graph-node finds them; the `TypeId` numbers below are that enum's.
 */

export const TypeId = {
  String: 0,
  ArrayBuffer: 1,
  Uint8Array: 6,
  BigDecimal: 12,
  ArrayUint8Array: 14,
  ArrayEthereumValue: 15,
  ArrayStoreValue: 16,
  ArrayString: 18,
  ArrayEventParam: 19,
  ArrayTypedMapEntryStringStoreValue: 21,
  EventParam: 23,
  EthereumTransaction: 24,
  EthereumBlock: 25,
  EthereumValue: 30,
  StoreValue: 31,
  EthereumEvent: 33,
  TypedMapEntryStringStoreValue: 34,
  TypedMapStringStoreValue: 36,
} as const;
export type TypeIdName = keyof typeof TypeId;

export interface MappingExports {
  memory: WebAssembly.Memory;
  __new(size: number, classId: number): number;
  id_of_type(typeId: number): number;
  _start(): void;
}

/** A mapping instance's heap: typed reads and writes plus allocation through the module's own `__new`. */
export class AscHeap {
  private exports: MappingExports | undefined;
  private readonly classIds = new Map<number, number>();

  bind(exports: MappingExports): void {
    this.exports = exports;
  }

  private get ex(): MappingExports {
    if (!this.exports) throw new Error('AscHeap used before the module was instantiated');
    return this.exports;
  }

  private view(): DataView {
    return new DataView(this.ex.memory.buffer);
  }

  classId(type: TypeIdName): number {
    const t = TypeId[type];
    let id = this.classIds.get(t);
    if (id === undefined) {
      id = this.ex.id_of_type(t);
      this.classIds.set(t, id);
    }
    return id;
  }

  // ------------------------------------------------------------------------------------------ primitives
  u32(ptr: number): number {
    return this.view().getUint32(ptr, true);
  }
  i32(ptr: number): number {
    return this.view().getInt32(ptr, true);
  }
  u64(ptr: number): bigint {
    return this.view().getBigUint64(ptr, true);
  }
  i64(ptr: number): bigint {
    return this.view().getBigInt64(ptr, true);
  }
  setU32(ptr: number, v: number): void {
    this.view().setUint32(ptr, v, true);
  }
  setU64(ptr: number, v: bigint): void {
    this.view().setBigUint64(ptr, v, true);
  }
  rtSize(ptr: number): number {
    return this.u32(ptr - 4);
  }

  /** Allocates `size` zeroed payload bytes of class `type`. */
  alloc(size: number, type: TypeIdName): number {
    const ptr = this.ex.__new(size, this.classId(type));
    new Uint8Array(this.ex.memory.buffer, ptr, size).fill(0);
    return ptr;
  }

  // ------------------------------------------------------------------------------------------ strings
  readString(ptr: number): string {
    if (ptr === 0) throw new Error('null string pointer');
    const len = this.rtSize(ptr);
    const units = new Uint16Array(this.ex.memory.buffer.slice(ptr, ptr + len));
    let s = '';
    for (let i = 0; i < units.length; i += 4096) s += String.fromCharCode(...units.subarray(i, i + 4096));
    return s;
  }

  writeString(s: string): number {
    const ptr = this.alloc(s.length * 2, 'String');
    const dv = this.view();
    for (let i = 0; i < s.length; i++) dv.setUint16(ptr + i * 2, s.charCodeAt(i), true);
    return ptr;
  }

  // ------------------------------------------------------------------------------------------ bytes
  /** Uint8Array and its subclasses (Bytes, Address, BigInt, ByteArray). */
  readBytes(ptr: number): Uint8Array {
    if (ptr === 0) throw new Error('null Uint8Array pointer');
    const dataStart = this.u32(ptr + 4);
    const byteLength = this.i32(ptr + 8);
    return new Uint8Array(this.ex.memory.buffer.slice(dataStart, dataStart + byteLength));
  }

  writeBytes(bytes: Uint8Array): number {
    const buffer = this.alloc(bytes.length, 'ArrayBuffer');
    new Uint8Array(this.ex.memory.buffer, buffer, bytes.length).set(bytes);
    const view = this.alloc(12, 'Uint8Array');
    this.setU32(view, buffer);
    this.setU32(view + 4, buffer);
    this.setU32(view + 8, bytes.length);
    return view;
  }

  // ------------------------------------------------------------------------------------------ arrays
  /** Pointers held by an Array<T> of reference type T. */
  readPointerArray(ptr: number): number[] {
    const dataStart = this.u32(ptr + 4);
    const length = this.i32(ptr + 12);
    const out: number[] = [];
    for (let i = 0; i < length; i++) out.push(this.u32(dataStart + i * 4));
    return out;
  }

  writePointerArray(pointers: readonly number[], type: TypeIdName): number {
    const buffer = this.alloc(pointers.length * 4, 'ArrayBuffer');
    for (let i = 0; i < pointers.length; i++) this.setU32(buffer + i * 4, pointers[i]!);
    const arr = this.alloc(16, type);
    this.setU32(arr, buffer);
    this.setU32(arr + 4, buffer);
    this.setU32(arr + 8, pointers.length * 4);
    this.setU32(arr + 12, pointers.length);
    return arr;
  }

  /** An object of `fields.length` pointer-sized fields, in order. */
  writeStruct(fields: readonly number[], type: TypeIdName): number {
    const ptr = this.alloc(fields.length * 4, type);
    for (let i = 0; i < fields.length; i++) this.setU32(ptr + i * 4, fields[i]!);
    return ptr;
  }

  /** `{ kind: i32, data: u64 }` — ethereum.Value and the store's Value alike (data at offset 8). */
  writeEnum(kind: number, payload: bigint, type: 'EthereumValue' | 'StoreValue'): number {
    const ptr = this.alloc(16, type);
    this.setU32(ptr, kind);
    this.setU64(ptr + 8, payload);
    return ptr;
  }

  readEnum(ptr: number): { kind: number; payload: bigint } {
    return { kind: this.i32(ptr), payload: this.u64(ptr + 8) };
  }
}
