import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { recoverAddress } from 'viem';
import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts';
import { toHex } from '../consensus/hex.ts';
import { addressOfPeerId, identityFromPrivateKey, parseSecp256k1PeerId, randomIdentity } from './identity.ts';
import { loadIdentity, saveIdentity } from './keyfile.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'identity-test-'));
  dirs.push(d);
  return d;
};

describe('operator identity', () => {
  it('address, peer id and signatures agree with viem and libp2p', async () => {
    const key = generatePrivateKey();
    const id = identityFromPrivateKey(key);
    assert.equal(id.address, privateKeyToAddress(key).toLowerCase());
    assert.equal(id.peerId, peerIdFromPrivateKey(id.libp2pKey()).toString());
    assert.equal(addressOfPeerId(id.peerId), id.address);
    const digest = new Uint8Array(32).fill(9);
    const sig = id.signDigest(digest);
    assert.equal((await recoverAddress({ hash: toHex(digest), signature: toHex(sig) })).toLowerCase(), id.address);
  });

  it('ECDH is symmetric between two operators', () => {
    const a = randomIdentity();
    const b = randomIdentity();
    assert.deepEqual(a.ecdh(b.publicKey), b.ecdh(a.publicKey));
  });

  it('refuses non-secp256k1 peer ids and malformed keys', () => {
    assert.throws(() => parseSecp256k1PeerId('12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'), /ed25519 peer id/i);
    assert.throws(() => parseSecp256k1PeerId('nonsense'), /not a libp2p peer id/);
    assert.throws(() => identityFromPrivateKey('0x1234'), /32 bytes of hex/);
    assert.throws(() => identityFromPrivateKey(`0x${'00'.repeat(32)}`), /\[1, n-1\]/);
  });

  it('key files: hex and v3 keystore round trips; wrong password and bad files are named', () => {
    const dir = tmp();
    const key = generatePrivateKey();
    const raw = Buffer.from(key.slice(2), 'hex');
    saveIdentity(join(dir, 'plain.key'), raw);
    assert.equal(statSync(join(dir, 'plain.key')).mode & 0o777, 0o600);
    assert.equal(loadIdentity(join(dir, 'plain.key')).address, privateKeyToAddress(key).toLowerCase());
    saveIdentity(join(dir, 'ks.json'), raw, 'correct horse', 1024);
    assert.equal(loadIdentity(join(dir, 'ks.json'), 'correct horse').address, privateKeyToAddress(key).toLowerCase());
    assert.throws(() => loadIdentity(join(dir, 'ks.json'), 'wrong'), /ks\.json: wrong password/);
    assert.throws(() => loadIdentity(join(dir, 'ks.json')), /a password is required/);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ version: 3, crypto: { cipher: 'aes-256-cbc' } }));
    assert.throws(() => loadIdentity(join(dir, 'bad.json'), 'x'), /not a v3 Ethereum keystore: crypto\.cipher/);
    assert.throws(() => loadIdentity(join(dir, 'missing.key')), /cannot read operator key file/);
  });
});
