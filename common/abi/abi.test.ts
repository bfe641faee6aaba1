import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../forge.ts';
import { ABI_CONTRACTS, renderAbiModule, renderIndex } from './contracts.ts';

test('committed ABI modules equal what the current forge artifacts generate (run `npm run abi` if not)', () => {
  for (const c of ABI_CONTRACTS) {
    const committed = readFileSync(join(REPO_ROOT, 'common/abi', `${c.contract}.ts`), 'utf8');
    assert.equal(committed, renderAbiModule(c), `common/abi/${c.contract}.ts is stale: run \`npm run abi\``);
  }
  assert.equal(readFileSync(join(REPO_ROOT, 'common/abi/index.ts'), 'utf8'), renderIndex());
});
