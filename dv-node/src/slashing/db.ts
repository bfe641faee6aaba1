/**
 * Durable EIP-3076 slashing protection for dv-node (minimal strategy: see rules.ts).
 *
 * Promise: when `checkAndRecord*` returns `{ ok: true }`, the new watermark is already on disk (written and
 * fsync'd), so a partial signature produced afterwards can never be followed — after a crash or restart — by a
 * conflicting one. A refusal writes nothing. A write failure throws and makes the database refuse all further use
 * until it is reopened, so no signature is ever authorised by a record that may not be durable.
 *
 * File format (one file, append-only, text): every line is `<16 hex of sha256(json)> <json>\n`.
 *   line 1   header  {"format":"shoal-slashing-protection","version":1,"strategy":"minimal","genesis_validators_root":"0x…"}
 *   line 2…  one batch of watermark records per line: [{"p":pubkey,"bs":slot,"br":root,"s":source,"t":target,"ar":root}, …]
 * Replaying the lines merges watermarks (max), so replay is idempotent. A final line without its newline is a
 * write that never completed (it was not acknowledged) and is cut off on open; any other damage (bad checksum,
 * bad JSON, missing header, empty file, another chain's root) throws `SlashingDbCorruptError`: the node must not
 * start with silently empty protection. The file is compacted (rewritten to one snapshot line via temp file,
 * fsync, atomic rename, directory fsync) when the journal grows. A `<file>.lock` (pid) keeps a second process out.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  type PubkeyHex,
  type RootHex,
  type ValidatorWatermarks,
  type Verdict,
  checkAttestation,
  checkBlock,
  mergeWatermarks,
  withAttestation,
  withBlock,
} from './rules.ts';
import { InterchangeError, type Interchange, interchangeToWatermarks, parseInterchange, watermarksToInterchange } from './interchange.ts';

export const DB_FORMAT = 'shoal-slashing-protection';
export const DB_VERSION = 1;
export const STRATEGY = 'minimal';
/** Journal lines after which the file is compacted into one snapshot line. */
export const DEFAULT_COMPACT_AFTER_LINES = 4096;

export type PubkeyLike = Uint8Array | string;
export type RootLike = Uint8Array | string;
export type Uint64Like = number | bigint;

export type SigningRequest =
  | { type: 'block'; pubkey: PubkeyLike; slot: Uint64Like; signingRoot?: RootLike }
  | { type: 'attestation'; pubkey: PubkeyLike; sourceEpoch: Uint64Like; targetEpoch: Uint64Like; signingRoot?: RootLike };

export interface OpenSlashingDbParameters {
  /** The database file. Created (with its header) if absent. */
  path: string;
  /** The chain this database protects; a database or interchange for another chain is refused. */
  genesisValidatorsRoot: RootLike;
  compactAfterLines?: number;
}

/** The database file is damaged: refusing to run with incomplete protection. */
export class SlashingDbCorruptError extends Error {
  constructor(path: string, detail: string) {
    super(
      `slashing protection database ${path} is corrupt: ${detail}. Refusing to sign with incomplete protection: ` +
        'restore the file from a backup, or start a new database and import an EIP-3076 interchange exported before the damage.',
    );
    this.name = 'SlashingDbCorruptError';
  }
}

/** A write did not reach the disk; nothing was authorised, and the database refuses use until reopened. */
export class SlashingDbWriteError extends Error {
  constructor(path: string, cause: unknown) {
    super(`slashing protection database ${path}: durable write failed (${(cause as Error)?.message ?? String(cause)}); reopen the database`);
    this.name = 'SlashingDbWriteError';
  }
}

// ---- input normalisation -----------------------------------------------------------------------------------------
const U64_LIMIT = 2n ** 64n;

function toHex(what: string, v: Uint8Array | string, length: number): `0x${string}` {
  if (v instanceof Uint8Array) {
    if (v.length !== length) throw new TypeError(`${what} must be ${length} bytes, got ${v.length}`);
    return `0x${Buffer.from(v).toString('hex')}`;
  }
  if (typeof v !== 'string' || !new RegExp(`^0x[0-9a-fA-F]{${length * 2}}$`).test(v)) {
    throw new TypeError(`${what} must be a 0x-prefixed ${length}-byte hex string, got ${JSON.stringify(v)}`);
  }
  return v.toLowerCase() as `0x${string}`;
}

function toU64(what: string, v: Uint64Like): bigint {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) throw new TypeError(`${what} must be a non-negative integer, got ${v}`);
    return BigInt(v);
  }
  if (typeof v !== 'bigint' || v < 0n || v >= U64_LIMIT) throw new TypeError(`${what} must be a uint64, got ${String(v)}`);
  return v;
}

const pubkeyHex = (v: PubkeyLike): PubkeyHex => toHex('pubkey', v, 48);
const rootHex = (v: RootLike | undefined): RootHex | undefined => (v === undefined ? undefined : toHex('signingRoot', v, 32));

// ---- line encoding -----------------------------------------------------------------------------------------------
interface StoredRecord {
  p: string;
  bs?: string;
  br?: string;
  s?: string;
  t?: string;
  ar?: string;
}

function checksum(json: string): string {
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}

function encodeLine(value: unknown): Buffer {
  const json = JSON.stringify(value);
  return Buffer.from(`${checksum(json)} ${json}\n`, 'utf8');
}

function toStored(pubkey: PubkeyHex, w: ValidatorWatermarks): StoredRecord {
  const r: StoredRecord = { p: pubkey };
  if (w.blockSlot !== undefined) r.bs = w.blockSlot.toString();
  if (w.blockRoot !== undefined) r.br = w.blockRoot;
  if (w.sourceEpoch !== undefined) r.s = w.sourceEpoch.toString();
  if (w.targetEpoch !== undefined) r.t = w.targetEpoch.toString();
  if (w.attestationRoot !== undefined) r.ar = w.attestationRoot;
  return r;
}

const HEX48 = /^0x[0-9a-f]{96}$/;
const HEX32 = /^0x[0-9a-f]{64}$/;
const DEC = /^(0|[1-9]\d*)$/;

function fromStored(r: unknown): [PubkeyHex, ValidatorWatermarks] {
  if (typeof r !== 'object' || r === null) throw new Error('record is not an object');
  const o = r as Record<string, unknown>;
  const str = (k: string, re: RegExp): string | undefined => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !re.test(v)) throw new Error(`field ${k} is malformed: ${JSON.stringify(v)}`);
    return v;
  };
  const p = str('p', HEX48);
  if (p === undefined) throw new Error('record has no pubkey');
  const bs = str('bs', DEC);
  const br = str('br', HEX32);
  const s = str('s', DEC);
  const t = str('t', DEC);
  const ar = str('ar', HEX32);
  if ((s === undefined) !== (t === undefined)) throw new Error('record has only one of source/target');
  const w: ValidatorWatermarks = {};
  if (bs !== undefined) w.blockSlot = BigInt(bs);
  if (br !== undefined) w.blockRoot = br as RootHex;
  if (s !== undefined && t !== undefined) {
    w.sourceEpoch = BigInt(s);
    w.targetEpoch = BigInt(t);
  }
  if (ar !== undefined) w.attestationRoot = ar as RootHex;
  return [p as PubkeyHex, w];
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const openInThisProcess = new Set<string>();

// ---- the database ------------------------------------------------------------------------------------------------
export class SlashingProtectionDb {
  readonly path: string;
  readonly genesisValidatorsRoot: RootHex;
  readonly strategy = STRATEGY;
  /** Bytes of an incomplete final write cut off when opening (0 normally). */
  readonly tornTailBytes: number;
  private readonly records = new Map<PubkeyHex, ValidatorWatermarks>();
  private readonly compactAfterLines: number;
  private fd: number;
  private size: number;
  private journalLines: number;
  private failure: Error | undefined;
  private closed = false;

  private constructor(path: string, gvr: RootHex, compactAfterLines: number) {
    this.path = path;
    this.genesisValidatorsRoot = gvr;
    this.compactAfterLines = compactAfterLines;
    this.acquireLock();
    try {
      if (!existsSync(path)) this.writeSnapshotFile();
      const { size, lines, torn } = this.load();
      this.tornTailBytes = torn;
      this.fd = openSync(path, 'r+');
      if (torn > 0) {
        ftruncateSync(this.fd, size);
        fsyncSync(this.fd);
      }
      closeSync(this.fd);
      this.fd = openSync(path, 'a');
      this.size = size;
      this.journalLines = lines;
      if (this.journalLines > this.compactAfterLines) this.compact();
    } catch (e) {
      this.releaseLock();
      throw e;
    }
  }

  /** Opens (or creates) the database at `path` for the chain `genesisValidatorsRoot`. */
  static open(params: OpenSlashingDbParameters): SlashingProtectionDb {
    const compact = params.compactAfterLines ?? DEFAULT_COMPACT_AFTER_LINES;
    if (!Number.isSafeInteger(compact) || compact < 1) throw new TypeError(`compactAfterLines must be a positive integer, got ${compact}`);
    return new SlashingProtectionDb(resolve(params.path), toHex('genesisValidatorsRoot', params.genesisValidatorsRoot, 32), compact);
  }

  // ---- signing checks --------------------------------------------------------------------------------------------
  /** Refuses or records (durably, before returning ok) a block proposal. */
  checkAndRecordBlock(pubkey: PubkeyLike, slot: Uint64Like, signingRoot?: RootLike): Verdict {
    return this.checkAndRecordBatch([{ type: 'block', pubkey, slot, ...(signingRoot === undefined ? {} : { signingRoot }) }])[0]!;
  }

  /** Refuses or records (durably, before returning ok) an attestation. */
  checkAndRecordAttestation(pubkey: PubkeyLike, sourceEpoch: Uint64Like, targetEpoch: Uint64Like, signingRoot?: RootLike): Verdict {
    return this.checkAndRecordBatch([
      { type: 'attestation', pubkey, sourceEpoch, targetEpoch, ...(signingRoot === undefined ? {} : { signingRoot }) },
    ])[0]!;
  }

  /**
   * Checks many requests (e.g. one slot's attestations for all of the cluster's validators) in order, each against
   * the state left by the previous ones, and records every accepted one with a single durable write.
   */
  checkAndRecordBatch(requests: readonly SigningRequest[]): Verdict[] {
    this.assertUsable();
    const staged = new Map<PubkeyHex, ValidatorWatermarks>();
    const verdicts: Verdict[] = [];
    // Normalise everything first: a malformed request fails the whole batch before anything is recorded.
    const normalised = requests.map((r, i) => {
      try {
        return r.type === 'block'
          ? { type: 'block' as const, pk: pubkeyHex(r.pubkey), slot: toU64('slot', r.slot), root: rootHex(r.signingRoot) }
          : {
              type: 'attestation' as const,
              pk: pubkeyHex(r.pubkey),
              source: toU64('sourceEpoch', r.sourceEpoch),
              target: toU64('targetEpoch', r.targetEpoch),
              root: rootHex(r.signingRoot),
            };
      } catch (e) {
        throw new TypeError(`signing request ${i}: ${(e as Error).message}`);
      }
    });
    for (const r of normalised) {
      const current = staged.get(r.pk) ?? this.records.get(r.pk);
      if (r.type === 'block') {
        const v = checkBlock(current, r.slot, r.root);
        verdicts.push(v);
        if (v.ok) staged.set(r.pk, withBlock(current, r.slot, r.root));
      } else {
        const v = checkAttestation(current, r.source, r.target, r.root);
        verdicts.push(v);
        if (v.ok) staged.set(r.pk, withAttestation(current, r.source, r.target, r.root));
      }
    }
    if (staged.size > 0) this.persist(staged);
    return verdicts;
  }

  /** Read-only: would this block be signable now? (Records nothing; sign only through checkAndRecordBlock.) */
  checkBlock(pubkey: PubkeyLike, slot: Uint64Like, signingRoot?: RootLike): Verdict {
    this.assertUsable();
    return checkBlock(this.records.get(pubkeyHex(pubkey)), toU64('slot', slot), rootHex(signingRoot));
  }

  /** Read-only: would this attestation be signable now? */
  checkAttestation(pubkey: PubkeyLike, sourceEpoch: Uint64Like, targetEpoch: Uint64Like, signingRoot?: RootLike): Verdict {
    this.assertUsable();
    return checkAttestation(
      this.records.get(pubkeyHex(pubkey)),
      toU64('sourceEpoch', sourceEpoch),
      toU64('targetEpoch', targetEpoch),
      rootHex(signingRoot),
    );
  }

  /** Current watermarks of a validator (a copy), or undefined if it never signed. */
  watermarks(pubkey: PubkeyLike): ValidatorWatermarks | undefined {
    const w = this.records.get(pubkeyHex(pubkey));
    return w === undefined ? undefined : { ...w };
  }

  get validatorCount(): number {
    return this.records.size;
  }

  // ---- interchange -----------------------------------------------------------------------------------------------
  /**
   * Imports an EIP-3076 v5 interchange (parsed JSON) atomically with one durable write: watermarks become the
   * maximum of ours and theirs. Throws `InterchangeError` (and changes nothing) if it is malformed or for another
   * chain. Slashable data inside the interchange is accepted: it only raises watermarks.
   */
  importInterchange(json: unknown): { validators: number } {
    this.assertUsable();
    const ic = parseInterchange(json);
    const theirs = ic.metadata.genesis_validators_root.toLowerCase();
    if (theirs !== this.genesisValidatorsRoot) {
      throw new InterchangeError(
        `interchange is for genesis_validators_root ${theirs}, this database protects ${this.genesisValidatorsRoot}`,
      );
    }
    const staged = new Map<PubkeyHex, ValidatorWatermarks>();
    for (const [pk, w] of interchangeToWatermarks(ic)) staged.set(pk, mergeWatermarks(this.records.get(pk), w));
    if (staged.size > 0) this.persist(staged);
    return { validators: staged.size };
  }

  /** Exports an EIP-3076 v5 interchange of all validators (or only `pubkeys`). */
  exportInterchange(pubkeys?: readonly PubkeyLike[]): Interchange {
    this.assertUsable();
    const wanted = pubkeys?.map(pubkeyHex);
    const entries = wanted === undefined
      ? [...this.records]
      : wanted.flatMap((pk) => {
          const w = this.records.get(pk);
          return w === undefined ? [] : [[pk, w] as [PubkeyHex, ValidatorWatermarks]];
        });
    return watermarksToInterchange(this.genesisValidatorsRoot, entries);
  }

  /** Releases the file and its lock. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      closeSync(this.fd);
    } finally {
      this.releaseLock();
    }
  }

  // ---- internals ---------------------------------------------------------------------------------------------------
  private assertUsable(): void {
    if (this.closed) throw new Error(`slashing protection database ${this.path} is closed`);
    if (this.failure) throw new SlashingDbWriteError(this.path, this.failure);
  }

  /** Appends one line with the staged records, fsyncs, and only then updates memory. */
  private persist(staged: Map<PubkeyHex, ValidatorWatermarks>): void {
    const line = encodeLine([...staged].map(([pk, w]) => toStored(pk, w)));
    try {
      writeAll(this.fd, line);
      fsyncSync(this.fd);
    } catch (e) {
      this.failure = e as Error;
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        // The torn line (no newline, or a bad checksum) is detected on the next open.
      }
      throw new SlashingDbWriteError(this.path, e);
    }
    this.size += line.length;
    this.journalLines++;
    for (const [pk, w] of staged) this.records.set(pk, w);
    if (this.journalLines > this.compactAfterLines) {
      try {
        this.compact();
      } catch {
        // The journal is durable and complete; compaction is retried after the next write.
      }
    }
  }

  private header(): Record<string, unknown> {
    return { format: DB_FORMAT, version: DB_VERSION, strategy: STRATEGY, genesis_validators_root: this.genesisValidatorsRoot };
  }

  /** Writes header + (if any) one snapshot line to a temp file, fsyncs it, renames it over the database. */
  private writeSnapshotFile(): number {
    const tmp = `${this.path}.tmp-${process.pid}`;
    const parts = [encodeLine(this.header())];
    if (this.records.size > 0) parts.push(encodeLine([...this.records].map(([pk, w]) => toStored(pk, w))));
    const buf = Buffer.concat(parts);
    const fd = openSync(tmp, 'w');
    try {
      writeAll(fd, buf);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    fsyncDir(dirname(this.path));
    return buf.length;
  }

  private compact(): void {
    const size = this.writeSnapshotFile();
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
    this.size = size;
    this.journalLines = this.records.size > 0 ? 1 : 0;
  }

  /** Reads and validates the file; returns the size of its complete part and the torn tail's length. */
  private load(): { size: number; lines: number; torn: number } {
    const raw = readFileSync(this.path);
    if (raw.length === 0) throw new SlashingDbCorruptError(this.path, 'the file is empty (no header)');
    const lastNewline = raw.lastIndexOf(0x0a);
    if (lastNewline < 0) throw new SlashingDbCorruptError(this.path, 'the header line is incomplete');
    const complete = raw.subarray(0, lastNewline + 1);
    const lines = complete.toString('utf8').split('\n');
    lines.pop(); // after the final newline
    let journal = 0;
    lines.forEach((line, i) => {
      const where = `line ${i + 1}`;
      const sp = line.indexOf(' ');
      const sum = line.slice(0, sp);
      const json = line.slice(sp + 1);
      if (sp !== 16 || checksum(json) !== sum) throw new SlashingDbCorruptError(this.path, `${where} fails its checksum`);
      let value: unknown;
      try {
        value = JSON.parse(json);
      } catch {
        throw new SlashingDbCorruptError(this.path, `${where} is not JSON`);
      }
      if (i === 0) {
        const h = value as Record<string, unknown>;
        if (h?.format !== DB_FORMAT || h.version !== DB_VERSION || h.strategy !== STRATEGY) {
          throw new SlashingDbCorruptError(this.path, `line 1 is not a ${DB_FORMAT} v${DB_VERSION} (${STRATEGY}) header`);
        }
        if (h.genesis_validators_root !== this.genesisValidatorsRoot) {
          throw new InterchangeError(
            `slashing protection database ${this.path} is for genesis_validators_root ${String(h.genesis_validators_root)}, ` +
              `not ${this.genesisValidatorsRoot}: wrong chain or wrong file`,
          );
        }
        return;
      }
      if (!Array.isArray(value)) throw new SlashingDbCorruptError(this.path, `${where} is not a record batch`);
      for (const r of value) {
        let pk: PubkeyHex;
        let w: ValidatorWatermarks;
        try {
          [pk, w] = fromStored(r);
        } catch (e) {
          throw new SlashingDbCorruptError(this.path, `${where}: ${(e as Error).message}`);
        }
        this.records.set(pk, mergeWatermarks(this.records.get(pk), w));
      }
      journal++;
    });
    if (lines.length === 0) throw new SlashingDbCorruptError(this.path, 'no header line');
    return { size: complete.length, lines: journal, torn: raw.length - complete.length };
  }

  private lockPath(): string {
    return `${this.path}.lock`;
  }

  private acquireLock(): void {
    if (openInThisProcess.has(this.path)) throw new Error(`slashing protection database ${this.path} is already open in this process`);
    const lock = this.lockPath();
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(lock, 'wx');
        writeAll(fd, Buffer.from(String(process.pid)));
        closeSync(fd);
        openInThisProcess.add(this.path);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
        if (Number.isSafeInteger(pid) && pid !== process.pid && pidAlive(pid)) {
          throw new Error(`slashing protection database ${this.path} is in use by process ${pid} (lock ${lock})`);
        }
        unlinkSync(lock); // stale: its process is gone
      }
    }
    throw new Error(`could not lock slashing protection database ${this.path}`);
  }

  private releaseLock(): void {
    openInThisProcess.delete(this.path);
    try {
      unlinkSync(this.lockPath());
    } catch {
      // already gone
    }
  }
}
