import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { toHex } from '../consensus/hex.ts';
import { publicKeyOf } from '../crypto/bls.ts';
import { interopSecretKey, randomScalar, recoverSecret } from '../crypto/field.ts';
import { decryptShareKeystore, loadKeystore } from '../keystore/keystore.ts';
import { MemoryClusterHub } from '../p2p/memory.ts';
import type { ClusterNetwork } from '../p2p/types.ts';
import { DkgCeremonyError, runDealerSplit, runDkg } from './ceremony.ts';
import { DKG_TOPIC, dealDigest, dealHash, decodeMessage, encodeMessage } from './messages.ts';
import { testDefinition } from './testing.ts';

const KDF = { function: 'pbkdf2', iterations: 2 } as const;
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'split-test-'));
  dirs.push(d);
  return d;
};

describe('trusted-dealer split of existing keys (in-memory network)', () => {
  it('splits interop keys 0..2 into the same lock and keystores a DKG would give', async () => {
    const { identities, definition } = testDefinition(4, 3);
    const hub = new MemoryClusterHub({ cluster: definition.definitionHash, identities });
    const keys = [0, 1, 2].map((i) => interopSecretKey(i));
    const outs = await Promise.all(
      identities.map((identity, k) =>
        runDealerSplit({ definition, identity, network: hub.endpoint(k), outputDir: tmp(), keystorePassword: 'pw', keystoreKdf: KDF, dealer: 0, ...(k === 0 ? { existingKeys: keys } : {}) }),
      ),
    );
    const lock = outs[0]!.lock;
    assert.ok(outs.every((o) => o.lock.lockHash === lock.lockHash));
    assert.deepEqual(lock.validators.map((v) => v.pubkey), keys.map((s) => toHex(publicKeyOf(s))));
    for (let v = 0; v < 3; v++) {
      const shares = await Promise.all([1, 2, 3].map(async (k) => ({ index: k + 1, value: (await decryptShareKeystore(loadKeystore(outs[k]!.keystorePaths[v]!), 'pw')).secret })));
      assert.equal(recoverSecret(shares), keys[v]);
    }
    assert.equal(outs[1]!.passwordPaths.length, 0);
    assert.ok(JSON.parse(readFileSync(outs[2]!.depositDataPath, 'utf8')).length === 3);
  });

  it('refuses a dealer without keys and a non-dealer with keys', async () => {
    const { identities, definition } = testDefinition(4, 1);
    const hub = new MemoryClusterHub({ cluster: definition.definitionHash, identities });
    await assert.rejects(runDealerSplit({ definition, identity: identities[0]!, network: hub.endpoint(0), outputDir: tmp(), dealer: 0 }), /the dealer needs 1 existing keys, got 0/);
    await assert.rejects(
      runDealerSplit({ definition, identity: identities[1]!, network: hub.endpoint(1), outputDir: tmp(), dealer: 0, existingKeys: [randomScalar()] }),
      /only the dealer \(operator 0\) holds existing keys/,
    );
  });
});

describe('DKG faults on the in-memory network', () => {
  it('a dealer that signs different commitments for different peers is named for equivocation', async () => {
    const { identities, definition } = testDefinition(4, 2);
    const hub = new MemoryClusterHub({ cluster: definition.definitionHash, identities });
    const nets: ClusterNetwork[] = identities.map((_, k) => hub.endpoint(k));
    const honest = nets[3]!;
    // Dealer 3 sends peer 0 a deal whose commitments are swapped between validators, signed properly.
    nets[3] = {
      ...honest,
      self: honest.self,
      size: honest.size,
      onMessage: (t, h) => honest.onMessage(t, h),
      send: (to, t, p) => honest.send(to, t, p),
      peers: () => honest.peers(),
      stats: () => honest.stats(),
      close: () => honest.close(),
      broadcast: (topic, payload) => {
        const m = topic === DKG_TOPIC ? decodeMessage(payload) : undefined;
        if (m?.type !== 'deal') return honest.broadcast(topic, payload);
        const other = [m.commitments[1]!, m.commitments[0]!];
        const sig = toHex(identities[3]!.signDigest(dealDigest(m.session, 3, dealHash(other))));
        honest.send(0, topic, encodeMessage({ ...m, commitments: other, sig }));
        honest.send(1, topic, payload);
        honest.send(2, topic, payload);
      },
    };
    const outcomes = await Promise.allSettled(identities.map((identity, k) => runDkg({ definition, identity, network: nets[k]!, outputDir: tmp(), keystoreKdf: KDF, timeouts: { verify: 10_000 } })));
    for (const [k, o] of outcomes.entries()) {
      assert.equal(o.status, 'rejected', `node ${k}`);
      const err = (o as PromiseRejectedResult).reason as DkgCeremonyError;
      assert.equal(err.reason, 'equivocation', `node ${k}: ${err.message}`);
      assert.deepEqual(err.culprits, [3], `node ${k}: ${err.message}`);
      assert.match(err.message, /dealer 3 signed 2 different sets of commitments/);
    }
  });
});
