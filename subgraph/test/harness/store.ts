/**
 * An in-memory entity store that checks what graph-node's store would: the entity type exists, every field
 * is declared and of its declared kind, required fields are set, derived fields are never stored, and an
 * immutable entity is never overwritten.
 */
import { readFileSync } from 'node:fs';
import { bytesToHex } from 'viem';
import { decimalToString, type Decimal } from './numbers.ts';

/** graph-ts `ValueKind` of the store's Value. */
export const StoreKind = {
  STRING: 0,
  INT: 1,
  BIGDECIMAL: 2,
  BOOL: 3,
  ARRAY: 4,
  NULL: 5,
  BYTES: 6,
  BIGINT: 7,
  INT8: 8,
  TIMESTAMP: 9,
} as const;

export type StoreValue =
  | { kind: 0; value: string }
  | { kind: 1; value: number }
  | { kind: 2; value: Decimal }
  | { kind: 3; value: boolean }
  | { kind: 4; value: StoreValue[] }
  | { kind: 5 }
  | { kind: 6; value: Uint8Array }
  | { kind: 7; value: bigint }
  | { kind: 8 | 9; value: bigint };

export type EntityData = Map<string, StoreValue>;

export interface FieldDef {
  name: string;
  /** Base GraphQL type name (list element type for lists). */
  type: string;
  list: boolean;
  required: boolean;
  derived: boolean;
}

export interface EntityDef {
  name: string;
  immutable: boolean;
  fields: Map<string, FieldDef>;
}

export interface Schema {
  entities: Map<string, EntityDef>;
  enums: Map<string, Set<string>>;
}

/** Parses the parts of schema.graphql the store checks (types, enums, fields, @derivedFrom, immutability). */
export function parseSchema(text: string): Schema {
  const src = text.replace(/#[^\n]*/g, '').replace(/"""[\s\S]*?"""/g, '').replace(/"[^"\n]*"/g, '');
  const entities = new Map<string, EntityDef>();
  const enums = new Map<string, Set<string>>();
  for (const m of src.matchAll(/enum\s+(\w+)\s*\{([^}]*)\}/g)) {
    enums.set(m[1]!, new Set(m[2]!.split(/\s+/).filter(Boolean)));
  }
  for (const m of src.matchAll(/type\s+(\w+)\s+@entity(\([^)]*\))?\s*\{([^}]*)\}/g)) {
    const fields = new Map<string, FieldDef>();
    for (const line of m[3]!.split('\n')) {
      const f = /^\s*(\w+)\s*:\s*(\[?)\s*(\w+)(!?)\s*\]?(!?)(.*)$/.exec(line);
      if (!f) continue;
      const list = f[2] === '[';
      fields.set(f[1]!, {
        name: f[1]!,
        type: f[3]!,
        list,
        required: list ? f[5] === '!' : f[4] === '!',
        derived: /@derivedFrom/.test(f[6]!),
      });
    }
    entities.set(m[1]!, { name: m[1]!, immutable: /immutable:\s*true/.test(m[2] ?? ''), fields });
  }
  return { entities, enums };
}

export function loadSchema(file: string): Schema {
  return parseSchema(readFileSync(file, 'utf8'));
}

export class EntityStore {
  private readonly data = new Map<string, Map<string, EntityData>>();
  /** Every `store.set` in order (type, id) — for tests that look at what a handler wrote. */
  readonly writes: { type: string; id: string }[] = [];

  constructor(readonly schema: Schema) {}

  get(type: string, id: string): EntityData | undefined {
    this.entityDef(type);
    return this.data.get(type)?.get(id);
  }

  set(type: string, id: string, entity: EntityData): void {
    const def = this.entityDef(type);
    this.check(def, id, entity);
    let table = this.data.get(type);
    if (!table) this.data.set(type, (table = new Map()));
    if (def.immutable && table.has(id)) {
      throw new Error(`store.set: ${type} ${id} is immutable and already exists`);
    }
    // graph-node merges a partial update into the stored entity; the generated classes always write whole entities
    const merged = new Map(table.get(id) ?? []);
    for (const [k, v] of entity) merged.set(k, v);
    table.set(id, merged);
    this.writes.push({ type, id });
  }

  remove(type: string, id: string): void {
    this.entityDef(type);
    this.data.get(type)?.delete(id);
  }

  all(type: string): Map<string, EntityData> {
    this.entityDef(type);
    return this.data.get(type) ?? new Map();
  }

  /** An entity as plain JSON-like values (BigInt → bigint, Bytes → 0x hex, BigDecimal → string). */
  plain(type: string, id: string): Record<string, unknown> | undefined {
    const e = this.get(type, id);
    return e ? toPlain(e) : undefined;
  }

  plainAll(type: string): Record<string, unknown>[] {
    return [...this.all(type).values()].map(toPlain);
  }

  private entityDef(type: string): EntityDef {
    const def = this.schema.entities.get(type);
    if (!def) throw new Error(`store: unknown entity type ${type}`);
    return def;
  }

  private check(def: EntityDef, id: string, entity: EntityData): void {
    const where = `store.set(${def.name}, ${id})`;
    for (const [name, value] of entity) {
      const field = def.fields.get(name);
      if (!field) throw new Error(`${where}: field ${name} is not in the schema`);
      if (field.derived) throw new Error(`${where}: derived field ${name} cannot be set`);
      if (value.kind === StoreKind.NULL) {
        if (field.required) throw new Error(`${where}: required field ${name} is null`);
        continue;
      }
      this.checkKind(where, field, value);
    }
    for (const field of def.fields.values()) {
      if (field.required && !field.derived && !entity.has(field.name)) {
        throw new Error(`${where}: required field ${field.name} is missing`);
      }
    }
  }

  private checkKind(where: string, field: FieldDef, value: StoreValue): void {
    if (field.list) {
      if (value.kind !== StoreKind.ARRAY) throw new Error(`${where}: ${field.name} must be a list`);
      for (const v of value.value) this.checkKind(where, { ...field, list: false }, v);
      return;
    }
    const expected = this.kindsFor(field.type);
    if (!expected.includes(value.kind)) {
      throw new Error(`${where}: ${field.name} (${field.type}) got a value of kind ${value.kind}`);
    }
    const allowed = this.schema.enums.get(field.type);
    if (allowed && value.kind === StoreKind.STRING && !allowed.has(value.value)) {
      throw new Error(`${where}: ${field.name} = '${value.value}' is not a ${field.type}`);
    }
  }

  private kindsFor(type: string): number[] {
    switch (type) {
      case 'ID':
      case 'String':
        return [StoreKind.STRING];
      case 'Int':
        return [StoreKind.INT];
      case 'Int8':
        return [StoreKind.INT8];
      case 'Timestamp':
        return [StoreKind.TIMESTAMP];
      case 'BigInt':
        return [StoreKind.BIGINT];
      case 'BigDecimal':
        return [StoreKind.BIGDECIMAL];
      case 'Boolean':
        return [StoreKind.BOOL];
      case 'Bytes':
        return [StoreKind.BYTES];
      default:
        if (this.schema.enums.has(type)) return [StoreKind.STRING];
        if (this.schema.entities.has(type)) {
          const idField = this.schema.entities.get(type)!.fields.get('id');
          return idField?.type === 'Bytes' ? [StoreKind.BYTES, StoreKind.STRING] : [StoreKind.STRING];
        }
        throw new Error(`schema type ${type} is not supported by the harness store`);
    }
  }
}

export function plainValue(v: StoreValue): unknown {
  switch (v.kind) {
    case StoreKind.NULL:
      return null;
    case StoreKind.BYTES:
      return bytesToHex(v.value);
    case StoreKind.BIGDECIMAL:
      return decimalToString(v.value);
    case StoreKind.ARRAY:
      return v.value.map(plainValue);
    default:
      return v.value;
  }
}

function toPlain(e: EntityData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of e) out[k] = plainValue(v);
  return out;
}
