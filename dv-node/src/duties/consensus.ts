/**
 * Consensus component: QBFT (dv-node/src/consensus) with one instance per (slot, duty type), whose value is the
 * duty's canonically encoded unsigned data for all the cluster's validators. A proposal that fails the duty's
 * sanity checks is not prepared (so a Byzantine leader's garbage only costs a round change).
 */
import { ConsensusAbortedError, type QbftConsensus } from '../consensus/consensus.ts';
import { DutyError, dutyKey, type Consensus, type Duty } from './types.ts';

export interface QbftDutyConsensusOptions {
  qbft: QbftConsensus;
  /** A proposal was refused by validate (for logs). */
  onInvalidProposal?: (duty: Duty, why: string) => void;
}

export class QbftDutyConsensus implements Consensus {
  readonly #o: QbftDutyConsensusOptions;

  constructor(o: QbftDutyConsensusOptions) {
    this.#o = o;
  }

  async decide(duty: Duty, propose: () => Promise<Uint8Array>, validate: (value: Uint8Array) => string | null, deadlineMs: number): Promise<Uint8Array> {
    try {
      const d = await this.#o.qbft.run(
        { slot: duty.slot, type: duty.type },
        {
          getValue: propose,
          validate: (v) => {
            const why = validate(v);
            if (why !== null) this.#o.onInvalidProposal?.(duty, why);
            return why === null;
          },
          deadline: deadlineMs,
        },
      );
      return d.value;
    } catch (e) {
      if (e instanceof ConsensusAbortedError) {
        throw new DutyError('consensus_timeout', `no agreement on duty ${dutyKey(duty)} (${e.reason} in round ${e.round})`);
      }
      throw e;
    }
  }
}
