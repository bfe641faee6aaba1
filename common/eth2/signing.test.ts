/**
 * Signing roots checked against vectors assembled independently: the spec's SSZ layout hashed by hand with
 * @noble/hashes sha256 (no @chainsafe/ssz, no @lodestar/types), plus the well-known mainnet deposit domain.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256 } from '@noble/hashes/sha2.js';
import { BitArray } from '@chainsafe/ssz';
import * as params from '@lodestar/params';
import {
  DOMAIN_AGGREGATE_AND_PROOF,
  DOMAIN_APPLICATION_BUILDER,
  DOMAIN_BEACON_ATTESTER,
  DOMAIN_BEACON_PROPOSER,
  DOMAIN_CONTRIBUTION_AND_PROOF,
  DOMAIN_DEPOSIT,
  DOMAIN_RANDAO,
  DOMAIN_SELECTION_PROOF,
  DOMAIN_SYNC_COMMITTEE,
  DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF,
  DOMAIN_VOLUNTARY_EXIT,
  ZERO_ROOT,
  aggregateAndProofSigningRoot,
  attestationSigningRoot,
  blockHeaderSigningRoot,
  blockRootSigningRoot,
  computeDomain,
  contributionAndProofSigningRoot,
  depositDataRoot,
  depositMessageRoot,
  depositMessageSigningRoot,
  forkAtEpoch,
  randaoSigningRoot,
  selectionProofSigningRoot,
  signingContextFromConfig,
  syncCommitteeMessageSigningRoot,
  syncCommitteeSelectionProofSigningRoot,
  validatorRegistrationSigningRoot,
  voluntaryExitSigningRoot,
  type SigningContext,
} from './signing.ts';

// ---- an independent SSZ hasher over the spec's layout ----------------------------------------------------------
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/^0x/, ''), 'hex'));
const fill = (v: number, n = 32): Uint8Array => new Uint8Array(n).fill(v);
function h2(a: Uint8Array, b: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64);
  buf.set(a, 0);
  buf.set(b, 32);
  return sha256(buf);
}
/** merkleize(chunks, limit): pad with zero chunks to the next power of two (≥ limit), hash pairwise. */
function merkleize(chunks: Uint8Array[], limit = chunks.length): Uint8Array {
  let width = 1;
  while (width < Math.max(limit, 1)) width *= 2;
  let layer = [...chunks];
  while (layer.length < width) layer.push(new Uint8Array(32));
  while (layer.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < layer.length; i += 2) next.push(h2(layer[i]!, layer[i + 1]!));
    layer = next;
  }
  return layer[0]!;
}
function u64(n: number): Uint8Array {
  const c = new Uint8Array(32);
  new DataView(c.buffer).setBigUint64(0, BigInt(n), true);
  return c;
}
function packBytes(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < b.length; i += 32) {
    const c = new Uint8Array(32);
    c.set(b.subarray(i, i + 32));
    out.push(c);
  }
  return out;
}
const bytesRoot = (b: Uint8Array): Uint8Array => (b.length === 32 ? b : merkleize(packBytes(b)));
const version = (v: Uint8Array): Uint8Array => packBytes(v)[0]!;
function domainByHand(type: Uint8Array, forkVersion: Uint8Array, gvr: Uint8Array): Uint8Array {
  const forkDataRoot = merkleize([version(forkVersion), gvr]);
  const d = new Uint8Array(32);
  d.set(type, 0);
  d.set(forkDataRoot.subarray(0, 28), 4);
  return d;
}
const signingRootByHand = (objectRoot: Uint8Array, domain: Uint8Array): Uint8Array => merkleize([objectRoot, domain]);
const checkpointRoot = (epoch: number, root: Uint8Array): Uint8Array => merkleize([u64(epoch), root]);
function bitlistRoot(bits: boolean[], limit: number): Uint8Array {
  const packed = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => {
    if (b) packed[i >> 3]! |= 1 << (i & 7);
  });
  const chunkLimit = Math.ceil(limit / 256);
  return h2(merkleize(packBytes(packed), chunkLimit), u64(bits.length));
}

// ---- a fork schedule with every fork one epoch apart -------------------------------------------------------------
const GVR = bytes('4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95');
const V = {
  genesis: bytes('10000038'),
  altair: bytes('20000038'),
  bellatrix: bytes('30000038'),
  capella: bytes('40000038'),
  deneb: bytes('50000038'),
  electra: bytes('60000038'),
};
const ctx: SigningContext = signingContextFromConfig(
  {
    GENESIS_FORK_VERSION: V.genesis,
    ALTAIR_FORK_VERSION: V.altair,
    ALTAIR_FORK_EPOCH: 1,
    BELLATRIX_FORK_VERSION: V.bellatrix,
    BELLATRIX_FORK_EPOCH: 2,
    CAPELLA_FORK_VERSION: V.capella,
    CAPELLA_FORK_EPOCH: 3,
    DENEB_FORK_VERSION: V.deneb,
    DENEB_FORK_EPOCH: 4,
    ELECTRA_FORK_VERSION: V.electra,
    ELECTRA_FORK_EPOCH: Infinity, // unscheduled
  },
  GVR,
  32,
);

test('domain constants equal the consensus specs (cross-checked with @lodestar/params)', () => {
  const pairs: Array<[Uint8Array, Uint8Array]> = [
    [DOMAIN_BEACON_PROPOSER, params.DOMAIN_BEACON_PROPOSER],
    [DOMAIN_BEACON_ATTESTER, params.DOMAIN_BEACON_ATTESTER],
    [DOMAIN_RANDAO, params.DOMAIN_RANDAO],
    [DOMAIN_DEPOSIT, params.DOMAIN_DEPOSIT],
    [DOMAIN_VOLUNTARY_EXIT, params.DOMAIN_VOLUNTARY_EXIT],
    [DOMAIN_SELECTION_PROOF, params.DOMAIN_SELECTION_PROOF],
    [DOMAIN_AGGREGATE_AND_PROOF, params.DOMAIN_AGGREGATE_AND_PROOF],
    [DOMAIN_SYNC_COMMITTEE, params.DOMAIN_SYNC_COMMITTEE],
    [DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF, params.DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF],
    [DOMAIN_CONTRIBUTION_AND_PROOF, params.DOMAIN_CONTRIBUTION_AND_PROOF],
    [DOMAIN_APPLICATION_BUILDER, params.DOMAIN_APPLICATION_BUILDER],
  ];
  for (const [ours, theirs] of pairs) assert.equal(hex(ours), hex(theirs));
  assert.equal(hex(DOMAIN_SYNC_COMMITTEE), '07000000');
  assert.equal(hex(DOMAIN_APPLICATION_BUILDER), '00000001');
});

test('compute_domain: mainnet deposit domain is the well-known constant', () => {
  assert.equal(
    hex(computeDomain(DOMAIN_DEPOSIT, bytes('00000000'), ZERO_ROOT)),
    '03000000f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a9',
  );
  assert.equal(hex(computeDomain(DOMAIN_BEACON_ATTESTER, V.capella, GVR)), hex(domainByHand(DOMAIN_BEACON_ATTESTER, V.capella, GVR)));
});

test('fork schedule: fork at epoch boundaries, unscheduled forks ignored', () => {
  assert.equal(forkAtEpoch(ctx, 0).name, 'phase0');
  assert.equal(forkAtEpoch(ctx, 1).name, 'altair');
  assert.equal(forkAtEpoch(ctx, 3).name, 'capella');
  assert.equal(forkAtEpoch(ctx, 1_000_000).name, 'deneb');
});

test('attestation data signing root', () => {
  const data = {
    slot: 100, // epoch 3
    index: 7,
    beaconBlockRoot: fill(0xaa),
    source: { epoch: 2, root: fill(0xbb) },
    target: { epoch: 3, root: fill(0xcc) },
  };
  const objectRoot = merkleize([
    u64(100),
    u64(7),
    fill(0xaa),
    checkpointRoot(2, fill(0xbb)),
    checkpointRoot(3, fill(0xcc)),
  ]);
  // Domain at the *target* epoch (3 → capella).
  const expected = signingRootByHand(objectRoot, domainByHand(DOMAIN_BEACON_ATTESTER, V.capella, GVR));
  assert.equal(hex(attestationSigningRoot(ctx, data)), hex(expected));
  // The target epoch, not the slot, selects the fork. `{...data}` also copies lodestar's cached root (a symbol
  // property): the signing root must still be computed from the new fields.
  const data2 = { ...data, slot: 10, source: { epoch: 0, root: fill(0xbb) }, target: { epoch: 1, root: fill(0xcc) } };
  const obj2 = merkleize([u64(10), u64(7), fill(0xaa), checkpointRoot(0, fill(0xbb)), checkpointRoot(1, fill(0xcc))]);
  assert.equal(hex(attestationSigningRoot(ctx, data2)), hex(signingRootByHand(obj2, domainByHand(DOMAIN_BEACON_ATTESTER, V.altair, GVR))));
});

test('block header signing root equals block-root form', () => {
  const header = { slot: 70, proposerIndex: 12345, parentRoot: fill(1), stateRoot: fill(2), bodyRoot: fill(3) };
  const headerRoot = merkleize([u64(70), u64(12345), fill(1), fill(2), fill(3)]);
  const expected = signingRootByHand(headerRoot, domainByHand(DOMAIN_BEACON_PROPOSER, V.bellatrix, GVR)); // epoch 2
  assert.equal(hex(blockHeaderSigningRoot(ctx, header)), hex(expected));
  assert.equal(hex(blockRootSigningRoot(ctx, 70, headerRoot)), hex(expected));
});

test('RANDAO reveal signing root (epoch)', () => {
  const expected = signingRootByHand(u64(5), domainByHand(DOMAIN_RANDAO, V.deneb, GVR));
  assert.equal(hex(randaoSigningRoot(ctx, 5)), hex(expected));
});

test('selection proof signing root (slot)', () => {
  const expected = signingRootByHand(u64(33), domainByHand(DOMAIN_SELECTION_PROOF, V.altair, GVR));
  assert.equal(hex(selectionProofSigningRoot(ctx, 33)), hex(expected));
});

test('aggregate-and-proof signing root (phase0 layout, MAX_VALIDATORS_PER_COMMITTEE = 2048)', () => {
  const bits = [true, false, true, true, false];
  const data = { slot: 65, index: 1, beaconBlockRoot: fill(4), source: { epoch: 1, root: fill(5) }, target: { epoch: 2, root: fill(6) } };
  const aggSig = fill(7, 96);
  const proof = fill(8, 96);
  const value = {
    aggregatorIndex: 42,
    aggregate: { aggregationBits: BitArray.fromBoolArray(bits), data, signature: aggSig },
    selectionProof: proof,
  };
  const dataRoot = merkleize([u64(65), u64(1), fill(4), checkpointRoot(1, fill(5)), checkpointRoot(2, fill(6))]);
  const attestationRoot = merkleize([bitlistRoot(bits, 2048), dataRoot, bytesRoot(aggSig)]);
  const objectRoot = merkleize([u64(42), attestationRoot, bytesRoot(proof)]);
  const expected = signingRootByHand(objectRoot, domainByHand(DOMAIN_AGGREGATE_AND_PROOF, V.bellatrix, GVR));
  assert.equal(hex(aggregateAndProofSigningRoot(ctx, value)), hex(expected));
});

test('voluntary exit: fork version of the exit epoch before Deneb, Capella version from Deneb on (EIP-7044)', () => {
  const exit = { epoch: 1, validatorIndex: 99 };
  const objectRoot = merkleize([u64(1), u64(99)]);
  const beforeDeneb = signingRootByHand(objectRoot, domainByHand(DOMAIN_VOLUNTARY_EXIT, V.altair, GVR));
  const fromDeneb = signingRootByHand(objectRoot, domainByHand(DOMAIN_VOLUNTARY_EXIT, V.capella, GVR));
  assert.equal(hex(voluntaryExitSigningRoot(ctx, exit, 3)), hex(beforeDeneb));
  assert.equal(hex(voluntaryExitSigningRoot(ctx, exit, 4)), hex(fromDeneb));
  assert.equal(hex(voluntaryExitSigningRoot(ctx, { epoch: 100, validatorIndex: 99 }, 200)),
    hex(signingRootByHand(merkleize([u64(100), u64(99)]), domainByHand(DOMAIN_VOLUNTARY_EXIT, V.capella, GVR))));
  assert.notEqual(hex(beforeDeneb), hex(fromDeneb));
});

test('deposit message signing root, deposit message root and deposit data root', () => {
  const pubkey = fill(0x11, 48);
  const withdrawalCredentials = bytes('01' + '00'.repeat(11) + 'ab'.repeat(20));
  const amount = 32_000_000_000;
  const signature = fill(0x22, 96);
  const msgRoot = merkleize([bytesRoot(pubkey), withdrawalCredentials, u64(amount)]);
  assert.equal(hex(depositMessageRoot({ pubkey, withdrawalCredentials, amount })), hex(msgRoot));
  const expected = signingRootByHand(msgRoot, domainByHand(DOMAIN_DEPOSIT, V.genesis, ZERO_ROOT));
  assert.equal(hex(depositMessageSigningRoot(V.genesis, { pubkey, withdrawalCredentials, amount })), hex(expected));
  const dataRoot = merkleize([bytesRoot(pubkey), withdrawalCredentials, u64(amount), bytesRoot(signature)]);
  assert.equal(hex(depositDataRoot({ pubkey, withdrawalCredentials, amount, signature })), hex(dataRoot));
});

test('bad input is refused with a message naming the field', () => {
  assert.throws(() => computeDomain(DOMAIN_DEPOSIT, new Uint8Array(3)), /currentVersion must be 4 bytes, got 3 bytes/);
  assert.throws(() => signingContextFromConfig({ GENESIS_FORK_VERSION: V.genesis }, new Uint8Array(31), 32), /genesisValidatorsRoot/);
});

test('sync committee message, sync selection proof and contribution-and-proof signing roots (altair layouts)', () => {
  // Sync committee message: the block root itself under DOMAIN_SYNC_COMMITTEE.
  assert.equal(
    hex(syncCommitteeMessageSigningRoot(ctx, 130, fill(9))),
    hex(signingRootByHand(fill(9), domainByHand(DOMAIN_SYNC_COMMITTEE, V.deneb, GVR))), // slot 130 → epoch 4 (deneb)
  );
  const sel = { slot: 40, subcommitteeIndex: 2 };
  assert.equal(
    hex(syncCommitteeSelectionProofSigningRoot(ctx, sel)),
    hex(signingRootByHand(merkleize([u64(40), u64(2)]), domainByHand(DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF, V.altair, GVR))),
  );
  // Contribution: aggregation bits are a Bitvector[SYNC_COMMITTEE_SIZE / SYNC_COMMITTEE_SUBNET_COUNT] = 128 bits.
  const bits = Array.from({ length: 128 }, (_, i) => i % 3 === 0);
  const packed = new Uint8Array(16);
  bits.forEach((b, i) => {
    if (b) packed[i >> 3]! |= 1 << (i & 7);
  });
  const contribution = {
    slot: 70,
    beaconBlockRoot: fill(0x31),
    subcommitteeIndex: 1,
    aggregationBits: BitArray.fromBoolArray(bits),
    signature: fill(0x32, 96),
  };
  const contributionRoot = merkleize([u64(70), fill(0x31), u64(1), packBytes(packed)[0]!, bytesRoot(fill(0x32, 96))]);
  const objectRoot = merkleize([u64(5), contributionRoot, bytesRoot(fill(0x33, 96))]);
  assert.equal(
    hex(contributionAndProofSigningRoot(ctx, { aggregatorIndex: 5, contribution, selectionProof: fill(0x33, 96) })),
    hex(signingRootByHand(objectRoot, domainByHand(DOMAIN_CONTRIBUTION_AND_PROOF, V.bellatrix, GVR))),
  );
});

test('builder validator registration: DOMAIN_APPLICATION_BUILDER with the genesis version and a zero root', () => {
  const reg = { feeRecipient: fill(0x44, 20), gasLimit: 30_000_000, timestamp: 1_700_000_000, pubkey: fill(0x55, 48) };
  const feeRecipientChunk = new Uint8Array(32);
  feeRecipientChunk.set(fill(0x44, 20));
  const objectRoot = merkleize([feeRecipientChunk, u64(30_000_000), u64(1_700_000_000), bytesRoot(fill(0x55, 48))]);
  assert.equal(
    hex(validatorRegistrationSigningRoot(ctx, reg)),
    hex(signingRootByHand(objectRoot, domainByHand(DOMAIN_APPLICATION_BUILDER, V.genesis, ZERO_ROOT))),
  );
});

test('electra aggregate-and-proof uses the electra container (committee bits, longer aggregation bits)', () => {
  const electraCtx = signingContextFromConfig(
    { GENESIS_FORK_VERSION: V.genesis, ALTAIR_FORK_VERSION: V.altair, ALTAIR_FORK_EPOCH: 0, ELECTRA_FORK_VERSION: V.electra, ELECTRA_FORK_EPOCH: 2 },
    GVR,
    32,
  );
  const bits = [true, true, false];
  const committeeBits = Array.from({ length: params.MAX_COMMITTEES_PER_SLOT }, (_, i) => i === 3);
  const data = { slot: 64, index: 0, beaconBlockRoot: fill(4), source: { epoch: 1, root: fill(5) }, target: { epoch: 2, root: fill(6) } };
  const value = {
    aggregatorIndex: 7,
    aggregate: {
      aggregationBits: BitArray.fromBoolArray(bits),
      data,
      signature: fill(7, 96),
      committeeBits: BitArray.fromBoolArray(committeeBits),
    },
    selectionProof: fill(8, 96),
  };
  const packedCommittee = new Uint8Array(Math.ceil(params.MAX_COMMITTEES_PER_SLOT / 8));
  committeeBits.forEach((b, i) => {
    if (b) packedCommittee[i >> 3]! |= 1 << (i & 7);
  });
  const dataRoot = merkleize([u64(64), u64(0), fill(4), checkpointRoot(1, fill(5)), checkpointRoot(2, fill(6))]);
  const attRoot = merkleize([
    bitlistRoot(bits, params.MAX_VALIDATORS_PER_COMMITTEE * params.MAX_COMMITTEES_PER_SLOT),
    dataRoot,
    bytesRoot(fill(7, 96)),
    merkleize(packBytes(packedCommittee)),
  ]);
  const objectRoot = merkleize([u64(7), attRoot, bytesRoot(fill(8, 96))]);
  assert.equal(
    hex(aggregateAndProofSigningRoot(electraCtx, value)),
    hex(signingRootByHand(objectRoot, domainByHand(DOMAIN_AGGREGATE_AND_PROOF, V.electra, GVR))),
  );
  // The wrong shape for the fork is refused.
  assert.throws(() => aggregateAndProofSigningRoot(ctx, value), /has committeeBits \(electra shape\)/);
});
