/** Helpers for tests and benchmarks of the DKG: a signed definition for fresh identities. */
import { createDefinition, signDefinition } from '../cluster/definition.ts';
import type { ClusterDefinition, Hex } from '../cluster/types.ts';
import { randomIdentity, type OperatorIdentity } from '../identity/identity.ts';

export function testDefinition(n: number, validators: number, identities: OperatorIdentity[] = Array.from({ length: n }, () => randomIdentity())): {
  identities: OperatorIdentity[];
  definition: ClusterDefinition;
} {
  let def = createDefinition({
    name: 'test-cluster',
    network: { name: 'devnet', chainId: 31337, genesisForkVersion: '0x10000038' },
    withdrawalAddress: '0x00000000000000000000000000000000000000aa' as Hex,
    feeRecipient: '0x00000000000000000000000000000000000000bb' as Hex,
    validators,
    operators: identities.map((id, k) => ({ operatorId: 100 + k, address: id.address, peerId: id.peerId, multiaddrs: [] })),
  });
  for (const id of identities) def = signDefinition(def, id);
  return { identities, definition: def };
}
