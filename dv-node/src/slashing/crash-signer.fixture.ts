/**
 * Test fixture (run as a child process by db.test.ts): opens the database given as argv[2] and signs attestations
 * (e → e+1) for the pubkey argv[3] forever, printing each target epoch only after checkAndRecordAttestation said ok.
 * The parent kills it with SIGKILL mid-stream and checks that nothing it printed can be signed again.
 */
import { SlashingProtectionDb } from './db.ts';

const [path, pubkey, gvr] = process.argv.slice(2);
if (!path || !pubkey || !gvr) throw new Error('usage: crash-signer.fixture.ts <db> <pubkey> <gvr>');
const db = SlashingProtectionDb.open({ path, genesisValidatorsRoot: gvr, compactAfterLines: 64 });
let epoch = Number(db.watermarks(pubkey)?.targetEpoch ?? 0n);
for (;;) {
  const v = db.checkAndRecordAttestation(pubkey, epoch, epoch + 1);
  if (!v.ok) throw new Error(`unexpected refusal: ${v.message}`);
  process.stdout.write(`${epoch + 1}\n`);
  epoch++;
}
