/**
 * The client teams' EIP-3076 interchange test suite, read in place from `<repo>/../shared/conformance/`: one test
 * per case file. Each step imports its interchange (must succeed or fail as `should_succeed` says), then tries every
 * block and attestation, which must be allowed or refused exactly as the minimal-strategy column
 * (`should_succeed`) says; what is signed joins the database. A missing suite fails, it is never skipped.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SlashingProtectionDb } from './db.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');
const suiteDir = resolve(repoRoot, '../shared/conformance/eip3076-interchange-tests/generated');

interface Case {
  name: string;
  genesis_validators_root: string;
  steps: Array<{
    should_succeed: boolean;
    contains_slashable_data: boolean;
    interchange: unknown;
    blocks: Array<{ pubkey: string; slot: string; signing_root?: string; should_succeed: boolean; should_succeed_complete: boolean }>;
    attestations: Array<{
      pubkey: string;
      source_epoch: string;
      target_epoch: string;
      signing_root?: string;
      should_succeed: boolean;
      should_succeed_complete: boolean;
    }>;
  }>;
}

const files = readdirSync(suiteDir).filter((f) => f.endsWith('.json')).sort();
const scratch = mkdtempSync(join(tmpdir(), 'eip3076-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('the EIP-3076 suite is present', () => {
  assert.ok(files.length >= 38, `expected the interchange test cases in ${suiteDir}, found ${files.length}`);
});

for (const file of files) {
  test(`EIP-3076 ${file.replace(/\.json$/, '')}`, () => {
    const c = JSON.parse(readFileSync(join(suiteDir, file), 'utf8')) as Case;
    const db = SlashingProtectionDb.open({ path: join(scratch, `${c.name}.db`), genesisValidatorsRoot: c.genesis_validators_root });
    try {
      c.steps.forEach((step, s) => {
        if (step.should_succeed) {
          db.importInterchange(step.interchange);
        } else {
          const before = JSON.stringify(db.exportInterchange());
          assert.throws(() => db.importInterchange(step.interchange), `step ${s}: import must fail`);
          assert.equal(JSON.stringify(db.exportInterchange()), before, `step ${s}: failed import changed the database`);
        }
        step.blocks.forEach((b, k) => {
          const v = db.checkAndRecordBlock(b.pubkey, BigInt(b.slot), b.signing_root);
          assert.equal(v.ok, b.should_succeed, `step ${s} block ${k} (slot ${b.slot}): ${v.ok ? 'signed' : v.message}`);
          // Whatever strategy: never sign what both strategies refuse.
          if (!b.should_succeed && !b.should_succeed_complete) assert.equal(v.ok, false);
        });
        step.attestations.forEach((a, k) => {
          const v = db.checkAndRecordAttestation(a.pubkey, BigInt(a.source_epoch), BigInt(a.target_epoch), a.signing_root);
          assert.equal(
            v.ok,
            a.should_succeed,
            `step ${s} attestation ${k} (${a.source_epoch}→${a.target_epoch}): ${v.ok ? 'signed' : v.message}`,
          );
          if (!a.should_succeed && !a.should_succeed_complete) assert.equal(v.ok, false);
        });
      });
    } finally {
      db.close();
    }
  });
}
