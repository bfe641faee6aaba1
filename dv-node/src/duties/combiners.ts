/**
 * Which nodes combine a validator's partial signatures and broadcast the result.
 *
 * Every node signs its partial for every validator, but combining (Lagrange interpolation) and verifying the group
 * signature cost ~1.5 ms per validator and node, and the beacon node needs the signed object only once. So for the
 * high-volume broadcast-only duties a validator's signature is combined by n − t + 1 designated nodes, rotating with
 * the validator's position in the lock: any t nodes — the fewest that can sign at all — include at least one of
 * them (only t − 1 nodes are left outside), so whenever the cluster can sign, a live designated node broadcasts; with
 * at most n − t faulty nodes, at least one designated node is honest. For n = 4 (t = 3) that is 2 of 4 nodes: half
 * the combining work of every node combining everything, which is what Charon does.
 *
 * Duties whose group signature every node needs itself (RANDAO reveals and selection proofs: they decide what the
 * cluster proposes next), and the rare ones where redundancy is worth more than CPU (blocks, exits), are combined
 * by every node.
 */
import type { DutyType } from './types.ts';

export const DESIGNATED_COMBINE: ReadonlySet<DutyType> = new Set<DutyType>(['attester', 'aggregator', 'sync_message', 'sync_contribution']);

/** Whether node `self` combines the signature of the validator at `position` (lock order) in a cluster of n, threshold t. */
export function combinesValidator(self: number, position: number, n: number, t: number): boolean {
  return (self - position % n + n) % n < n - t + 1;
}
