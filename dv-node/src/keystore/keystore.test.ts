import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interopSecretKey } from '../crypto/field.ts';
import { publicKeyOf } from '../crypto/bls.ts';
import { splitExistingKey } from '../crypto/dkg.ts';
import {
  InvalidKeystoreError,
  WrongPasswordError,
  createShareKeystore,
  decryptShareKeystore,
  loadKeystore,
  saveKeystore,
} from './keystore.ts';

const scratch = mkdtempSync(join(tmpdir(), 'keystore-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const FAST = { function: 'pbkdf2', iterations: 1024 } as const;

test('a share keystore round-trips through a file; a wrong password gets a clear error', async () => {
  const split = splitExistingKey(interopSecretKey(2), { n: 4, t: 3 });
  const share = split.shares[1]!;
  const ks = await createShareKeystore({ secret: share.value, password: 'correct horse 🐎', kdf: FAST });
  assert.equal(ks.version, 4);
  assert.equal(ks.path, '');
  assert.equal(ks.pubkey, Buffer.from(split.publicShares[1]!).toString('hex'));
  const path = join(scratch, 'keystore-1.json');
  saveKeystore(path, ks);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const back = await decryptShareKeystore(loadKeystore(path), 'correct horse 🐎');
  assert.equal(back.secret, share.value);
  assert.deepEqual(back.publicKey, publicKeyOf(share.value));
  await assert.rejects(decryptShareKeystore(ks, 'wrong'), (e: unknown) => e instanceof WrongPasswordError && e.message.includes(ks.pubkey));
  await assert.rejects(decryptShareKeystore({ ...ks, crypto: { ...ks.crypto, kdf: {} } }, 'x'), InvalidKeystoreError);
  // A keystore whose pubkey was swapped is refused even with the right password.
  await assert.rejects(decryptShareKeystore({ ...ks, pubkey: Buffer.from(split.publicShares[0]!).toString('hex') }, 'correct horse 🐎'), /does not belong to its pubkey/);
  assert.throws(() => loadKeystore(join(scratch, 'missing.json')), InvalidKeystoreError);
});

test('scrypt keystores work too (EIP-2335 allows both)', async () => {
  const secret = interopSecretKey(3);
  const ks = await createShareKeystore({ secret, password: 'pw', kdf: { function: 'scrypt', n: 1024 } });
  assert.equal(ks.crypto.kdf.function, 'scrypt');
  assert.equal((await decryptShareKeystore(ks, 'pw')).secret, secret);
});
