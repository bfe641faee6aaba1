/**
 * Writes `common/abi/*.ts` from the forge artifacts: each contract's ABI as a viem-typed `as const` literal.
 * Never edit those files by hand; run `npm run abi` after changing a contract's interface (a test fails when
 * they are stale).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../common/forge.ts';
import { ABI_CONTRACTS, renderAbiModule, renderIndex } from '../common/abi/contracts.ts';

for (const c of ABI_CONTRACTS) {
  writeFileSync(join(REPO_ROOT, 'common/abi', `${c.contract}.ts`), renderAbiModule(c));
}
writeFileSync(join(REPO_ROOT, 'common/abi/index.ts'), renderIndex());
console.log(`wrote ${ABI_CONTRACTS.length} ABIs to common/abi/`);
