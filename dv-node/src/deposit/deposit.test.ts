/**
 * Deposit data produced by threshold signing, checked independently: the roots are recomputed with SSZ
 * containers assembled here from @chainsafe/ssz primitives and a hand-computed domain, and the signature is verified
 * with blst against the group key.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ByteVectorType, ContainerType, UintNumberType } from '@chainsafe/ssz';
import { sha256 } from '@noble/hashes/sha2.js';
import * as blst from '@chainsafe/blst';
import { interopSecretKey } from '../crypto/field.ts';
import { publicKeyOf, sign } from '../crypto/bls.ts';
import { dealFor, dealRound, finalizeDkg } from '../crypto/dkg.ts';
import {
  FULL_DEPOSIT_GWEI,
  buildDepositData,
  depositDataFromPartials,
  depositSigningRoot,
  executionWithdrawalCredentials,
  verifyDepositDataFile,
  writeDepositDataFile,
  type DepositParameters,
} from './deposit.ts';

const scratch = mkdtempSync(join(tmpdir(), 'deposit-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const Bytes48 = new ByteVectorType(48);
const Bytes32 = new ByteVectorType(32);
const Bytes96 = new ByteVectorType(96);
const Gwei = new UintNumberType(8);
const DepositMessageByHand = new ContainerType({ pubkey: Bytes48, withdrawalCredentials: Bytes32, amount: Gwei });
const DepositDataByHand = new ContainerType({ pubkey: Bytes48, withdrawalCredentials: Bytes32, amount: Gwei, signature: Bytes96 });
const SigningDataByHand = new ContainerType({ objectRoot: Bytes32, domain: Bytes32 });

function depositDomainByHand(forkVersion: Uint8Array): Uint8Array {
  // fork_data_root = sha256(version padded to 32 ‖ zero genesis validators root); domain = 0x03000000 ‖ root[:28]
  const buf = new Uint8Array(64);
  buf.set(forkVersion, 0);
  const forkDataRoot = sha256(buf);
  const domain = new Uint8Array(32);
  domain.set([3, 0, 0, 0], 0);
  domain.set(forkDataRoot.subarray(0, 28), 4);
  return domain;
}

const GENESIS_FORK_VERSION = Uint8Array.from([0x10, 0x00, 0x00, 0x38]);
const WC = executionWithdrawalCredentials('0x' + 'ab'.repeat(20));

test('withdrawal credentials layout', () => {
  assert.equal(Buffer.from(WC).toString('hex'), '01' + '00'.repeat(11) + 'ab'.repeat(20));
  assert.equal(executionWithdrawalCredentials('0x' + '11'.repeat(20), 0x02)[0], 2);
  assert.throws(() => executionWithdrawalCredentials('0x1234'), /20-byte/);
});

test('threshold-signed deposit data (3-of-4 DKG): roots and signature verify independently; file as the CLI writes it', () => {
  const params = { n: 4, t: 3, validators: 2 };
  const rounds = [1, 2, 3, 4].map((d) => dealRound(params, d));
  const nodes = [1, 2, 3, 4].map((j) => finalizeDkg(params, j, rounds.map((r) => dealFor(r, j))));
  const entries = [0, 1].map((v) => {
    const p: DepositParameters = {
      pubkey: nodes[0]!.groupPublicKeys[v]!,
      withdrawalCredentials: WC,
      amountGwei: FULL_DEPOSIT_GWEI,
      genesisForkVersion: GENESIS_FORK_VERSION,
      networkName: 'shoal-devnet',
    };
    const root = depositSigningRoot(p);
    // Nodes 2, 3, 4 sign with their shares.
    const partials = nodes.slice(1).map((n) => ({ index: n.index, signature: sign(n.secretShares[v]!, root) }));
    return depositDataFromPartials(p, partials, params.t);
  });

  for (const [v, e] of entries.entries()) {
    const pubkey = nodes[0]!.groupPublicKeys[v]!;
    assert.equal(e.pubkey, Buffer.from(pubkey).toString('hex'));
    assert.equal(e.amount, 32_000_000_000);
    assert.equal(e.fork_version, '10000038');
    const msg = { pubkey, withdrawalCredentials: WC, amount: FULL_DEPOSIT_GWEI };
    const msgRoot = DepositMessageByHand.hashTreeRoot(msg);
    assert.equal(e.deposit_message_root, Buffer.from(msgRoot).toString('hex'));
    const signature = Buffer.from(e.signature, 'hex');
    assert.equal(e.deposit_data_root, Buffer.from(DepositDataByHand.hashTreeRoot({ ...msg, signature })).toString('hex'));
    const signingRoot = SigningDataByHand.hashTreeRoot({ objectRoot: msgRoot, domain: depositDomainByHand(GENESIS_FORK_VERSION) });
    assert.equal(blst.verify(signingRoot, blst.PublicKey.fromBytes(pubkey, true), blst.Signature.fromBytes(signature, true)), true);
    assert.deepEqual(Object.keys(e), [
      'pubkey', 'withdrawal_credentials', 'amount', 'signature', 'deposit_message_root', 'deposit_data_root',
      'fork_version', 'network_name', 'deposit_cli_version',
    ]);
  }

  const path = writeDepositDataFile(scratch, entries, new Date(1_700_000_000_123));
  assert.equal(basename(path), 'deposit_data-1700000000.json');
  assert.deepEqual(verifyDepositDataFile(JSON.parse(readFileSync(path, 'utf8'))), entries);

  // Tampering is caught: a signature for another amount, a wrong root, a partial set with a bad share.
  const tampered = [{ ...entries[0]!, amount: 1_000_000_000 }];
  assert.throws(() => verifyDepositDataFile(tampered), /entry 0: deposit signature does not verify/);
  assert.throws(() => verifyDepositDataFile([{ ...entries[0]!, deposit_data_root: '00'.repeat(32) }]), /deposit_data_root is 0{64}, expected/);
  assert.throws(() => verifyDepositDataFile([{ ...entries[0]!, pubkey: 'zz' }]), /0\.pubkey/);
});

test('deposit for a known key signed in one piece equals the threshold result; bad parameters are named', () => {
  const secret = interopSecretKey(0);
  const p: DepositParameters = {
    pubkey: publicKeyOf(secret),
    withdrawalCredentials: WC,
    amountGwei: FULL_DEPOSIT_GWEI,
    genesisForkVersion: new Uint8Array(4),
    networkName: 'mainnet',
  };
  const e = buildDepositData(p, sign(secret, depositSigningRoot(p)));
  assert.equal(e.pubkey.slice(0, 8), 'a99a76ed');
  assert.throws(() => buildDepositData({ ...p, amountGwei: 31_000_000_000 }, Buffer.from(e.signature, 'hex')), /does not verify/);
  assert.throws(() => depositSigningRoot({ ...p, amountGwei: 5 }), /deposit amount must be/);
  assert.throws(() => depositSigningRoot({ ...p, withdrawalCredentials: new Uint8Array(20) }), /withdrawal credentials must be 32 bytes/);
  assert.throws(() => depositSigningRoot({ ...p, pubkey: new Uint8Array(48) }), /deposit pubkey is not a valid BLS12-381 G1 point/);
});
