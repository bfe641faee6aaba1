import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { publicKeyOf, sign } from '../crypto/bls.ts';
import { randomScalar } from '../crypto/field.ts';
import { testDefinition } from '../dkg/testing.ts';
import { runDkg } from '../dkg/ceremony.ts';
import { identityFromPrivateKey, randomIdentity } from '../identity/identity.ts';
import { MemoryClusterHub } from '../p2p/memory.ts';
import { createDefinition, definitionHash, definitionSigningDigest, signDefinition, verifyDefinition } from './definition.ts';
import { ClusterFileError } from './errors.ts';
import { buildLock, loadLock, lockHash, signLockHash, verifyLock } from './lock.ts';
import type { ClusterDefinition, ClusterLock, Hex } from './types.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'lock-test-'));
  dirs.push(d);
  return d;
};
const clone = <T>(x: T): T => structuredClone(x);

function expectField(f: () => unknown, field: string, message?: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof ClusterFileError, `expected ClusterFileError, got ${String(e)}`);
    assert.equal(e.field, field, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe('cluster definition', () => {
  it('is signed by every operator with EIP-712 (viem recovers the same signatures)', async () => {
    const keys = Array.from({ length: 4 }, () => generatePrivateKey());
    const ids = keys.map((k) => identityFromPrivateKey(k));
    const { definition } = testDefinition(4, 2, ids);
    assert.equal(verifyDefinition(definition).definitionHash, definitionHash(definition));
    // An independent signer (viem) signing the documented typed data produces the very same signature.
    const account = privateKeyToAccount(keys[1]!);
    const viemSig = await account.signTypedData({
      domain: { name: 'Shoal dv-node', version: '1', chainId: 31337 },
      types: { ClusterDefinition: [{ name: 'definitionHash', type: 'bytes32' }] },
      primaryType: 'ClusterDefinition',
      message: { definitionHash: definition.definitionHash },
    });
    assert.equal(viemSig, definition.signatures[1]);
    assert.equal(definitionSigningDigest(31337, definition.definitionHash).length, 32);
  });

  it('rejects each bad field by name', () => {
    const { identities, definition } = testDefinition(4, 2);
    const unsigned = { ...definition, signatures: definition.signatures.map((s, k) => (k === 2 ? ('0x' as Hex) : s)) };
    expectField(() => verifyDefinition(unsigned), 'signatures[2]', /has not signed/);
    assert.equal(verifyDefinition(unsigned, { requireAllSignatures: false }).name, 'test-cluster');
    const swapped = clone(definition);
    swapped.signatures[0] = definition.signatures[1]!;
    expectField(() => verifyDefinition(swapped), 'signatures[0]', /is not operator/);
    const renamed = { ...clone(definition), name: 'other' };
    expectField(() => verifyDefinition(renamed), 'definitionHash', /hashes to/);
    const badThreshold = { ...clone(definition), threshold: 2 };
    expectField(() => verifyDefinition(badThreshold), 'threshold', /ceil\(2n\/3\) = 3/);
    const wrongPeer = clone(definition);
    wrongPeer.operators[1]!.peerId = identities[2]!.peerId;
    expectField(() => verifyDefinition(wrongPeer), 'operators[1].peerId', /belongs to key/);
    const foreignPeer = clone(definition);
    foreignPeer.operators[1]!.peerId = randomIdentity().peerId;
    expectField(() => verifyDefinition(foreignPeer), 'operators[1].peerId', /not to the operator address/);
    const badWc = { ...clone(definition), withdrawalCredentials: `0x03${'00'.repeat(11)}${'aa'.repeat(20)}` as Hex };
    expectField(() => verifyDefinition(badWc), 'withdrawalCredentials', /0x01 or 0x02/);
    expectField(() => verifyDefinition({ ...clone(definition), feeRecipient: '0x12' }), 'feeRecipient', /20 bytes/);
    expectField(
      () => createDefinition({ ...{ name: 'x', network: definition.network, withdrawalAddress: `0x${'aa'.repeat(20)}`, feeRecipient: `0x${'bb'.repeat(20)}`, validators: 1 }, operators: definition.operators.slice(0, 3) }),
      'operators',
      /4, 7, 10 operators, got 3/,
    );
    assert.throws(() => signDefinition(definition, randomIdentity()), /is not an operator/);
  });
});

describe('cluster lock verification', () => {
  let lock: ClusterLock;
  let definition: ClusterDefinition;
  let ids: ReturnType<typeof testDefinition>['identities'];

  before(async () => {
    const t = testDefinition(4, 3);
    definition = t.definition;
    ids = t.identities;
    const hub = new MemoryClusterHub({ cluster: definition.definitionHash, identities: ids });
    const outs = await Promise.all(
      ids.map((identity, k) => runDkg({ definition, identity, network: hub.endpoint(k), outputDir: tmp(), keystoreKdf: { function: 'pbkdf2', iterations: 2 } })),
    );
    lock = outs[0]!.lock;
  });

  it('accepts the lock the DKG wrote (and loadLock reads and verifies it)', () => {
    assert.equal(verifyLock(clone(lock)).lockHash, lock.lockHash);
    const dir = tmp();
    writeFileSync(join(dir, 'l.json'), JSON.stringify(lock));
    assert.equal(loadLock(join(dir, 'l.json')).validators.length, 3);
  });

  it('a tampered group public key is named', () => {
    const l = clone(lock);
    l.validators[1]!.pubkey = `0x${Buffer.from(publicKeyOf(randomScalar())).toString('hex')}` as Hex;
    expectField(() => verifyLock(l), 'validators[1].pubkey', /not the Lagrange interpolation at 0/);
  });

  it('a tampered public share is named, with its operator', () => {
    const l = clone(lock);
    l.validators[2]!.publicShares[3] = `0x${Buffer.from(publicKeyOf(randomScalar())).toString('hex')}` as Hex;
    expectField(() => verifyLock(l), 'validators[2].publicShares[3]', /operator 3 is not on the polynomial/);
    const l2 = clone(lock);
    l2.validators[0]!.publicShares[0] = `0x${'11'.repeat(48)}` as Hex;
    expectField(() => verifyLock(l2), 'validators[0].publicShares[0]', /not a valid BLS12-381 G1 point/);
  });

  it('tampered deposit data is named (signature, amount, root, credentials)', () => {
    const sig = clone(lock);
    sig.validators[1]!.depositData.signature = Buffer.from(sign(randomScalar(), new Uint8Array(32))).toString('hex');
    // The data root covers the signature, so fix it up the way a careful forger would.
    expectField(() => verifyLock(sig), 'validators[1].depositData.deposit_data_root');
    const forged = clone(lock);
    const other = clone(lock);
    other.validators[1]!.depositData = clone(lock.validators[0]!.depositData);
    expectField(() => verifyLock(other), 'validators[1].depositData.pubkey', /the definition requires/);
    forged.validators[0]!.depositData.amount = 1_000_000_000;
    expectField(() => verifyLock(forged), 'validators[0].depositData.amount', /requires 32000000000/);
    const root = clone(lock);
    root.validators[2]!.depositData.deposit_message_root = '00'.repeat(32);
    expectField(() => verifyLock(root), 'validators[2].depositData.deposit_message_root');
    const wc = clone(lock);
    wc.validators[0]!.depositData.withdrawal_credentials = `01${'00'.repeat(11)}${'cc'.repeat(20)}`;
    expectField(() => verifyLock(wc), 'validators[0].depositData.withdrawal_credentials');
  });

  it('a deposit signature that is well formed but wrong is caught by the batch check', async () => {
    const { depositDataRoot } = await import('../../../common/eth2/signing.ts');
    const l = clone(lock);
    const d = l.validators[2]!.depositData;
    const badSig = sign(randomScalar(), new Uint8Array(32));
    d.signature = Buffer.from(badSig).toString('hex');
    d.deposit_data_root = Buffer.from(
      depositDataRoot({ pubkey: Buffer.from(d.pubkey, 'hex'), withdrawalCredentials: Buffer.from(d.withdrawal_credentials, 'hex'), amount: d.amount, signature: badSig }),
    ).toString('hex');
    expectField(() => verifyLock(l), 'validators[2].depositData.signature', /does not verify against group key/);
  });

  it('lock signatures: missing, forged or over another hash are named; the hash itself is checked', () => {
    const missing = clone(lock);
    missing.signatures[1] = '0x';
    expectField(() => verifyLock(missing), 'signatures[1]', /has not signed the lock/);
    const forged = clone(lock);
    forged.signatures[2] = signLockHash(lock, ids[3]!);
    expectField(() => verifyLock(forged), 'signatures[2]', /is not operator/);
    const rehashed = clone(lock);
    rehashed.validators.reverse();
    rehashed.lockHash = lockHash(rehashed.definition.definitionHash, rehashed.validators);
    expectField(() => verifyLock(rehashed), 'signatures[0]', /is not operator/);
    const stale = clone(lock);
    stale.lockHash = `0x${'00'.repeat(32)}`;
    expectField(() => verifyLock(stale), 'lockHash', /hashes to/);
    const unsigned = buildLock(definition, clone(lock.validators));
    expectField(() => verifyLock(unsigned), 'signatures[0]', /has not signed/);
  });

  it('shape errors name the field', () => {
    expectField(() => verifyLock({ ...clone(lock), version: 'v0' }), 'version');
    const l = clone(lock) as unknown as { validators: { pubkey: string }[] };
    l.validators[0]!.pubkey = '0xABC';
    expectField(() => verifyLock(l), 'validators[0].pubkey', /48 bytes/);
    const short = clone(lock);
    short.validators.pop();
    expectField(() => verifyLock(short), 'validators', /asks for 3 validators, the lock has 2/);
    const def = clone(lock);
    def.definition.signatures[3] = def.definition.signatures[0]!;
    expectField(() => verifyLock(def), 'definition.signatures[3]', /is not operator/);
  });
});
