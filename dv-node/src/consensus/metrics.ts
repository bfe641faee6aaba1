/** Metrics hooks: a no-op default and an in-memory recorder (tests, the bench, a status page). */
import type { ConsensusMetrics, DropReason, Duty, EquivocationEvidence, MsgType, RoundChangeCause } from './types.ts';

export const noopMetrics: ConsensusMetrics = {
  messageSent() {},
  messageDropped() {},
  roundChanged() {},
  decided() {},
  equivocation() {},
  abandoned() {},
};

export class RecordingMetrics implements ConsensusMetrics {
  readonly sent = new Map<MsgType, number>();
  readonly dropped = new Map<DropReason, number>();
  readonly roundChanges = new Map<RoundChangeCause, number>();
  readonly decisions: { duty: Duty; round: number; latencyMs: number }[] = [];
  readonly equivocations: EquivocationEvidence[] = [];
  readonly abandonedDuties: { duty: Duty; round: number }[] = [];

  messageSent(_duty: Duty, type: MsgType): void {
    this.sent.set(type, (this.sent.get(type) ?? 0) + 1);
  }
  messageDropped(_duty: Duty | null, reason: DropReason): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
  }
  roundChanged(_duty: Duty, _round: number, cause: RoundChangeCause): void {
    this.roundChanges.set(cause, (this.roundChanges.get(cause) ?? 0) + 1);
  }
  decided(duty: Duty, round: number, latencyMs: number): void {
    this.decisions.push({ duty, round, latencyMs });
  }
  equivocation(evidence: EquivocationEvidence): void {
    this.equivocations.push(evidence);
  }
  abandoned(duty: Duty, round: number): void {
    this.abandonedDuties.push({ duty, round });
  }

  droppedCount(reason: DropReason): number {
    return this.dropped.get(reason) ?? 0;
  }
  sentTotal(): number {
    let t = 0;
    for (const v of this.sent.values()) t += v;
    return t;
  }
}
