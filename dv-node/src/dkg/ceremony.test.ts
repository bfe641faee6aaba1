import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadLock } from '../cluster/lock.ts';
import { fromHex, toHex } from '../consensus/hex.ts';
import { publicKeyOf } from '../crypto/bls.ts';
import { recoverSecret, scalarFromBytes, scalarToBytes } from '../crypto/field.ts';
import { verifyDepositDataFile } from '../deposit/deposit.ts';
import { decryptShareKeystore, loadKeystore } from '../keystore/keystore.ts';
import type { OperatorIdentity } from '../identity/identity.ts';
import type { ClusterNetwork } from '../p2p/types.ts';
import { startLoopbackCluster } from '../p2p/testing.ts';
import type { Libp2pClusterNetwork } from '../p2p/libp2p.ts';
import { DkgCeremonyError, runDkg } from './ceremony.ts';
import { deriveBoxKey, openBoxWithKey, sealBox } from './ecies.ts';
import { DKG_TOPIC, boxContext, decodeMessage, encodeMessage, sharesDigest } from './messages.ts';
import { testDefinition } from './testing.ts';
import type { DkgOutput } from './types.ts';

const KDF = { function: 'pbkdf2', iterations: 2 } as const;
const dirs: string[] = [];
const nets: Libp2pClusterNetwork[] = [];
after(async () => {
  await Promise.all(nets.map((n) => n.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'dkg-test-'));
  dirs.push(d);
  return d;
}
async function cluster(ids: OperatorIdentity[], clusterId: `0x${string}`, only?: number[]): Promise<Libp2pClusterNetwork[]> {
  const started = await startLoopbackCluster(ids, clusterId, only ? { only } : {});
  const list = started.filter((n): n is Libp2pClusterNetwork => n !== undefined);
  nets.push(...list);
  return started as Libp2pClusterNetwork[];
}

/** A ClusterNetwork whose outgoing share box to `victim` carries one wrong share, correctly encrypted and signed. */
function corruptSharesTo(net: ClusterNetwork, dealer: OperatorIdentity, victim: OperatorIdentity): ClusterNetwork {
  return {
    self: net.self,
    size: net.size,
    broadcast: (topic, payload) => net.broadcast(topic, payload),
    onMessage: (topic, handler) => net.onMessage(topic, handler),
    peers: () => net.peers(),
    stats: () => net.stats(),
    close: () => net.close(),
    send: (to, topic, payload) => {
      const m = topic === DKG_TOPIC ? decodeMessage(payload) : undefined;
      if (m?.type !== 'shares' || to !== 1) return net.send(to, topic, payload);
      const ctx = boxContext(m.session, m.dealer, m.to);
      const box = { ephemeralPublicKey: fromHex(m.box.epk), iv: fromHex(m.box.iv), ciphertext: fromHex(m.box.ct) };
      const plain = openBoxWithKey(deriveBoxKey(victim, box, fromHex(m.session), ctx), box, ctx);
      const s = scalarFromBytes(plain.subarray(32 * 5, 32 * 6));
      plain.set(scalarToBytes(s + 1n), 32 * 5); // validator 5's share is off by one
      const evil = sealBox(victim.publicKey, plain, fromHex(m.session), ctx);
      const unsigned = { type: 'shares' as const, session: m.session, dealer: m.dealer, to: m.to, box: { epk: toHex(evil.ephemeralPublicKey), iv: toHex(evil.iv), ct: toHex(evil.ciphertext) } };
      net.send(to, topic, encodeMessage({ ...unsigned, sig: toHex(dealer.signDigest(sharesDigest(unsigned))) }));
    },
  };
}

describe('DKG ceremony over libp2p on loopback (4 nodes)', () => {
  it('8 validators: every node ends with the same verified lock, keystores that decrypt, valid deposit data', async () => {
    const { identities, definition } = testDefinition(4, 8);
    const ns = await cluster(identities, definition.definitionHash);
    const outs = identities.map(() => tmp());
    const results: DkgOutput[] = await Promise.all(
      identities.map((identity, k) => runDkg({ definition, identity, network: ns[k]!, outputDir: outs[k]!, keystoreKdf: KDF, timeouts: { sync: 20_000 } })),
    );
    const lockJson = results.map((r) => readFileSync(r.lockPath, 'utf8'));
    assert.ok(lockJson.every((j) => j === lockJson[0]), 'all four nodes wrote the same lock');
    const lock = loadLock(results[0]!.lockPath);
    assert.equal(lock.validators.length, 8);
    assert.equal(lock.lockHash, results[3]!.lock.lockHash);
    // Shares decrypt, match the public shares, and any t of them give back a key whose public key is the group key.
    const secrets: bigint[][] = [];
    for (let k = 0; k < 4; k++) {
      const r = results[k]!;
      assert.equal(r.keystorePaths.length, 8);
      secrets.push([]);
      for (let v = 0; v < 8; v++) {
        const password = readFileSync(r.passwordPaths[v]!, 'utf8');
        const share = await decryptShareKeystore(loadKeystore(r.keystorePaths[v]!), password);
        assert.equal(toHex(share.publicKey), lock.validators[v]!.publicShares[k]);
        secrets[k]!.push(share.secret);
      }
    }
    for (let v = 0; v < 8; v++) {
      const sk = recoverSecret([1, 3, 4].map((i) => ({ index: i, value: secrets[i - 1]![v]! })));
      assert.equal(toHex(publicKeyOf(sk)), lock.validators[v]!.pubkey);
    }
    // Deposit data as the deposit CLI writes it, re-verified from scratch.
    for (const r of results) {
      assert.match(r.depositDataPath, /deposit_data-\d+\.json$/);
      const entries = verifyDepositDataFile(JSON.parse(readFileSync(r.depositDataPath, 'utf8')));
      assert.deepEqual(entries.map((e) => `0x${e.pubkey}`), lock.validators.map((v) => v.pubkey));
      assert.ok(entries.every((e) => e.amount === 32_000_000_000 && e.withdrawal_credentials.startsWith('01') && e.network_name === 'devnet'));
    }
    // A rerun into the same directory is refused rather than overwriting keys.
    await assert.rejects(
      runDkg({ definition, identity: identities[0]!, network: ns[0]!, outputDir: outs[0]! }),
      /already exists: refusing to overwrite/,
    );
    assert.deepEqual(readdirSync(join(outs[0]!, 'validator_keys')).length, 16);
  });

  it('a dealer sending one bad share is named on every node and the ceremony aborts', async () => {
    const { identities, definition } = testDefinition(4, 8);
    const ns = await cluster(identities, definition.definitionHash);
    const networks: ClusterNetwork[] = [...ns];
    networks[2] = corruptSharesTo(ns[2]!, identities[2]!, identities[1]!);
    const outcomes = await Promise.allSettled(
      identities.map((identity, k) => runDkg({ definition, identity, network: networks[k]!, outputDir: tmp(), keystoreKdf: KDF, timeouts: { sync: 20_000, verify: 20_000 } })),
    );
    for (const [k, o] of outcomes.entries()) {
      assert.equal(o.status, 'rejected', `node ${k} must abort`);
      const err = (o as PromiseRejectedResult).reason as DkgCeremonyError;
      assert.ok(err instanceof DkgCeremonyError, `node ${k}: ${String(err)}`);
      assert.equal(err.reason, 'faulty-dealer', `node ${k}: ${err.message}`);
      assert.deepEqual(err.culprits, [2], `node ${k}: ${err.message}`);
      assert.match(err.message, /dealer 2 sent operator 1 share\(s\) for validator\(s\) 5 that do not match its commitments/);
    }
  });

  it('times out naming the operator that never shows up; a clean rerun then succeeds', async () => {
    const { identities, definition } = testDefinition(4, 2);
    const ns = await cluster(identities, definition.definitionHash, [0, 1, 2]);
    const outcomes = await Promise.allSettled(
      [0, 1, 2].map((k) => runDkg({ definition, identity: identities[k]!, network: ns[k]!, outputDir: tmp(), keystoreKdf: KDF, timeouts: { sync: 1_500 } })),
    );
    for (const o of outcomes) {
      assert.equal(o.status, 'rejected');
      const err = (o as PromiseRejectedResult).reason as DkgCeremonyError;
      assert.equal(err.reason, 'timeout');
      assert.equal(err.phase, 'sync');
      assert.deepEqual(err.culprits, [3]);
      assert.match(err.message, /operator\(s\) 3 did not join/);
    }
    // Same definition, same networks (stale hellos of the first attempt are still around), node 3 now present.
    const late = await cluster(identities, definition.definitionHash, [3]);
    for (const k of [0, 1, 2]) {
      late[3]!.setMemberAddresses(k, ns[k]!.listenAddresses());
      ns[k]!.setMemberAddresses(3, late[3]!.listenAddresses());
    }
    const all = [ns[0]!, ns[1]!, ns[2]!, late[3]!];
    const results = await Promise.all(
      identities.map((identity, k) => runDkg({ definition, identity, network: all[k]!, outputDir: tmp(), keystoreKdf: KDF, timeouts: { sync: 20_000 } })),
    );
    assert.ok(results.every((r) => r.lock.lockHash === results[0]!.lock.lockHash));
  });
});
