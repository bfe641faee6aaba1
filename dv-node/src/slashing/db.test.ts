import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SlashingDbCorruptError, SlashingProtectionDb } from './db.ts';
import { InterchangeError } from './interchange.ts';

const GVR = `0x${'04'.repeat(32)}`;
const OTHER_GVR = `0x${'05'.repeat(32)}`;
const pk = (i: number): string => `0x${i.toString(16).padStart(2, '0').repeat(48)}`;
const root = (i: number): string => `0x${i.toString(16).padStart(2, '0').repeat(32)}`;

const scratch = mkdtempSync(join(tmpdir(), 'slashing-db-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const freshPath = (): string => join(scratch, `db-${++counter}.sp`);
const lineCount = (path: string): number => readFileSync(path, 'utf8').split('\n').length - 1;

test('surround votes are refused in both directions, double votes and double proposals too', () => {
  const db = SlashingProtectionDb.open({ path: freshPath(), genesisValidatorsRoot: GVR });
  try {
    assert.deepEqual(db.checkAndRecordAttestation(pk(1), 10, 20, root(1)), { ok: true });
    // New surrounds old: 9 < 10 and 21 > 20.
    assert.equal(db.checkAttestation(pk(1), 9, 21).ok, false); // read-only check agrees
    const surrounding = db.checkAndRecordAttestation(pk(1), 9, 21);
    assert.equal(surrounding.ok, false);
    assert.equal(!surrounding.ok && surrounding.reason, 'SURROUNDING_VOTE');
    // New surrounded by old: 11 > 10 and 19 < 20.
    const surrounded = db.checkAndRecordAttestation(pk(1), 11, 19);
    assert.equal(!surrounded.ok && surrounded.reason, 'TARGET_BELOW_WATERMARK');
    // Double vote: same target, other data.
    const double = db.checkAndRecordAttestation(pk(1), 10, 20, root(2));
    assert.equal(!double.ok && double.reason, 'DOUBLE_VOTE');
    const again = db.checkAndRecordAttestation(pk(1), 10, 20, root(1));
    assert.equal(!again.ok && again.reason, 'ATTESTATION_ALREADY_SIGNED');
    const backwards = db.checkAndRecordAttestation(pk(1), 30, 29);
    assert.equal(!backwards.ok && backwards.reason, 'SOURCE_AFTER_TARGET');
    assert.deepEqual(db.checkAndRecordAttestation(pk(1), 20, 21), { ok: true });
    // The other validator is independent.
    assert.deepEqual(db.checkAndRecordAttestation(pk(2), 9, 21), { ok: true });
    // Blocks.
    assert.deepEqual(db.checkAndRecordBlock(pk(1), 100, root(7)), { ok: true });
    const dp = db.checkAndRecordBlock(pk(1), 100, root(8));
    assert.equal(!dp.ok && dp.reason, 'DOUBLE_PROPOSAL');
    const low = db.checkAndRecordBlock(pk(1), 99n, root(8));
    assert.equal(!low.ok && low.reason, 'BLOCK_SLOT_BELOW_WATERMARK');
    assert.deepEqual(db.checkAndRecordBlock(pk(1), 2n ** 64n - 1n, root(8)), { ok: true });
    // Bad input names the field.
    assert.throws(() => db.checkAndRecordBlock('0x1234', 1), /pubkey must be a 0x-prefixed 48-byte hex string/);
    assert.throws(() => db.checkAndRecordBlock(pk(1), -1), /slot must be a non-negative integer/);
    assert.throws(() => db.checkAndRecordAttestation(pk(1), 1, 2n ** 64n), /targetEpoch must be a uint64/);
    assert.throws(() => db.checkAndRecordAttestation(pk(1), 1, 2, new Uint8Array(31)), /signingRoot must be 32 bytes/);
  } finally {
    db.close();
  }
});

test('restart: a new database object on the same file never signs conflicting data', () => {
  const path = freshPath();
  const a = SlashingProtectionDb.open({ path, genesisValidatorsRoot: GVR });
  assert.deepEqual(a.checkAndRecordBlock(pk(3), 64, root(1)), { ok: true });
  assert.deepEqual(a.checkAndRecordAttestation(pk(3), 5, 6, root(2)), { ok: true });
  assert.throws(() => SlashingProtectionDb.open({ path, genesisValidatorsRoot: GVR }), /already open in this process/);
  a.close();
  const b = SlashingProtectionDb.open({ path, genesisValidatorsRoot: GVR });
  try {
    assert.equal(b.checkAndRecordBlock(pk(3), 64, root(9)).ok, false);
    assert.equal(b.checkAndRecordAttestation(pk(3), 5, 6, root(9)).ok, false);
    assert.equal(b.checkAndRecordAttestation(pk(3), 4, 7).ok, false);
    assert.deepEqual(b.checkAndRecordAttestation(pk(3), 6, 7), { ok: true });
  } finally {
    b.close();
  }
  // Opening with another chain's root is refused.
  assert.throws(() => SlashingProtectionDb.open({ path, genesisValidatorsRoot: OTHER_GVR }), InterchangeError);
});

test('a signer killed with SIGKILL mid-stream: every attestation it reported signed stays refused', async () => {
  const path = freshPath();
  const fixture = join(import.meta.dirname, 'crash-signer.fixture.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, path, pk(4), GVR], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_code, signal) => res(signal)));
  await new Promise<void>((res, rej) => {
    const deadline = setTimeout(() => rej(new Error(`child produced too little output: ${out.length} bytes, stderr: ${err}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.split('\n').length > 300) {
        clearTimeout(deadline);
        res();
      }
    });
    child.on('exit', () => {
      clearTimeout(deadline);
      rej(new Error(`child exited early: ${err}`));
    });
  });
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  const reported = out.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
  const highest = Math.max(...reported);
  assert.ok(existsSync(`${path}.lock`), 'the killed process left its lock behind');
  const db = SlashingProtectionDb.open({ path, genesisValidatorsRoot: GVR }); // stale lock of a dead pid is taken over
  try {
    const w = db.watermarks(pk(4));
    assert.ok(w?.targetEpoch !== undefined && w.targetEpoch >= BigInt(highest), `watermark ${w?.targetEpoch} below reported ${highest}`);
    for (const target of [1, Math.floor(highest / 2), highest]) {
      assert.equal(db.checkAndRecordAttestation(pk(4), target - 1, target, root(0xee)).ok, false, `re-signed target ${target}`);
    }
  } finally {
    db.close();
  }
});

test('corruption gives a clear error, never silently empty protection; a torn final write is cut off', () => {
  const path = freshPath();
  const db = SlashingProtectionDb.open({ path, genesisValidatorsRoot: GVR });
  db.checkAndRecordBlock(pk(5), 10);
  db.checkAndRecordBlock(pk(5), 11);
  db.close();
  const good = readFileSync(path);

  // A flipped byte inside an acknowledged line.
  const flipped = Buffer.from(good);
  const at = good.indexOf('"bs":"10"') + 7;
  flipped[at] = '9'.charCodeAt(0);
  writeFileSync(path, flipped);
  assert.throws(() => SlashingProtectionDb.open({ path, genesisValidatorsRoot: GVR }), (e: unknown) =>
    e instanceof SlashingDbCorruptError && /line 2 fails its checksum/.test(e.message) && /Refusing to sign/.test(e.message));

  // An empty file (e.g. truncated by a bad restore).
  writeFileSync(path, '');
  assert.throws(() => SlashingProtectionDb.open({ path, genesisValidatorsRoot: GVR }), /the file is empty/);

  // Not our file at all.
  writeFileSync(path, 'hello\n');
  assert.throws(() => SlashingProtectionDb.open({ path, genesisValidatorsRoot: GVR }), SlashingDbCorruptError);

  // A torn final line (a write that never completed and was never acknowledged) is cut off; the rest stays.
  writeFileSync(path, Buffer.concat([good, Buffer.from('0123456789abcdef [{"p":"0x')]));
  const reopened = SlashingProtectionDb.open({ path, genesisValidatorsRoot: GVR });
  try {
    assert.ok(reopened.tornTailBytes > 0);
    assert.equal(reopened.watermarks(pk(5))?.blockSlot, 11n);
    assert.equal(reopened.checkAndRecordBlock(pk(5), 11).ok, false);
    assert.deepEqual(reopened.checkAndRecordBlock(pk(5), 12), { ok: true });
  } finally {
    reopened.close();
  }
  const again = SlashingProtectionDb.open({ path, genesisValidatorsRoot: GVR });
  assert.equal(again.watermarks(pk(5))?.blockSlot, 12n);
  again.close();
});

test('export → import round trip, and imports for another chain are refused', () => {
  const a = SlashingProtectionDb.open({ path: freshPath(), genesisValidatorsRoot: GVR });
  const b = SlashingProtectionDb.open({ path: freshPath(), genesisValidatorsRoot: GVR });
  try {
    a.checkAndRecordBlock(pk(6), 50, root(1));
    a.checkAndRecordAttestation(pk(6), 3, 4, root(2));
    a.checkAndRecordAttestation(pk(7), 8, 9);
    a.checkAndRecordBlock(pk(8), 1);
    const exported = a.exportInterchange();
    assert.equal(exported.metadata.interchange_format_version, '5');
    assert.equal(exported.metadata.genesis_validators_root, GVR);
    assert.equal(exported.data.length, 3);
    // Through JSON text, as a file would carry it.
    assert.deepEqual(b.importInterchange(JSON.parse(JSON.stringify(exported))), { validators: 3 });
    assert.deepEqual(b.exportInterchange(), exported);
    for (const k of [6, 7, 8]) assert.deepEqual(b.watermarks(pk(k)), a.watermarks(pk(k)));
    assert.equal(b.checkAndRecordBlock(pk(6), 50, root(3)).ok, false);
    assert.equal(b.checkAndRecordAttestation(pk(7), 7, 10).ok, false);
    assert.deepEqual(a.exportInterchange([pk(7)]).data.map((d) => d.pubkey), [pk(7)]);
    // Wrong chain, wrong version, malformed fields: refused with the field named, nothing imported.
    const c = { ...exported, metadata: { ...exported.metadata, genesis_validators_root: OTHER_GVR } };
    assert.throws(() => b.importInterchange(c), /interchange is for genesis_validators_root 0x0505/);
    assert.throws(() => b.importInterchange({ ...exported, metadata: { ...exported.metadata, interchange_format_version: '4' } }), /interchange_format_version/);
    assert.throws(
      () => b.importInterchange({ ...exported, data: [{ pubkey: pk(9), signed_blocks: [{ slot: '-1' }], signed_attestations: [] }] }),
      /data\.0\.signed_blocks\.0\.slot/,
    );
    assert.equal(b.watermarks(pk(9)), undefined);
  } finally {
    a.close();
    b.close();
  }
});

test('a batch for 1,000 validators is checked in order and recorded with one durable write; compaction keeps everything', () => {
  const path = freshPath();
  const db = SlashingProtectionDb.open({ path, genesisValidatorsRoot: GVR, compactAfterLines: 8 });
  const keys = Array.from({ length: 1000 }, (_, i) => `0x${i.toString(16).padStart(96, '0')}`);
  try {
    const before = lineCount(path);
    const verdicts = db.checkAndRecordBatch([
      ...keys.map((pubkey) => ({ type: 'attestation' as const, pubkey, sourceEpoch: 1, targetEpoch: 2 })),
      { type: 'attestation', pubkey: keys[0]!, sourceEpoch: 0, targetEpoch: 3 }, // surrounds the first in the same batch
      { type: 'block', pubkey: keys[1]!, slot: 7 },
      { type: 'block', pubkey: keys[1]!, slot: 7, signingRoot: root(1) }, // second block at the same slot
    ]);
    assert.equal(verdicts.filter((v) => v.ok).length, 1001);
    assert.equal(verdicts[1000]!.ok, false);
    assert.equal(verdicts[1002]!.ok, false);
    assert.equal(lineCount(path), before + 1);
    // Nothing at all is recorded when a request in the batch is malformed.
    assert.throws(() => db.checkAndRecordBatch([{ type: 'block', pubkey: keys[2]!, slot: 9 }, { type: 'block', pubkey: 'x', slot: 1 }]), /signing request 1: pubkey/);
    assert.equal(db.watermarks(keys[2]!)?.blockSlot, undefined);
    // Enough single writes to trigger compactions.
    for (let e = 3; e < 30; e++) assert.deepEqual(db.checkAndRecordAttestation(keys[5]!, e - 1, e), { ok: true });
    assert.ok(lineCount(path) <= 10, `file was not compacted: ${lineCount(path)} lines`);
  } finally {
    db.close();
  }
  const reopened = SlashingProtectionDb.open({ path, genesisValidatorsRoot: GVR });
  try {
    assert.equal(reopened.validatorCount, 1000);
    assert.equal(reopened.watermarks(keys[5]!)?.targetEpoch, 29n);
    assert.equal(reopened.watermarks(keys[999]!)?.targetEpoch, 2n);
    assert.equal(reopened.checkAndRecordBlock(keys[1]!, 7).ok, false);
  } finally {
    reopened.close();
  }
});
