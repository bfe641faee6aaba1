/**
 * Decision certificates: a decision is only as good as its quorum of signed COMMITs. Any component (or peer)
 * holding the cluster's verifier can check one without trusting the node that produced it.
 */
import { isQuorumOf } from './justify.ts';
import { verifyMessage } from './message.ts';
import { quorumSize } from './quorum.ts';
import type { Decision, Hex, Verifier } from './types.ts';
import { hashValue } from './value.ts';

export function verifyDecision(d: Decision, cluster: { cluster: Hex; n: number; verifier: Verifier }): boolean {
  if (hashValue(d.value) !== d.valueHash) return false;
  return isQuorumOf(d.commits, 'COMMIT', d.round, d.valueHash, {
    cluster: cluster.cluster,
    duty: d.duty,
    n: cluster.n,
    quorum: quorumSize(cluster.n),
    verify: (m) => verifyMessage(m, cluster.verifier),
  });
}

/** Stable identity of a decided value across members (for logs and the duty store). */
export function decisionId(d: Decision): Hex {
  return d.valueHash;
}

