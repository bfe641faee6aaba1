/**
 * Scheduler: learns the cluster's duties from the beacon node and triggers each at its offset in the slot:
 *
 *   slot start   randao + proposer (if one of ours proposes), prepare_aggregator and prepare_sync_contribution
 *                (selection proofs)
 *   1/3 slot     attester, sync_message
 *   2/3 slot     aggregator, sync_contribution (the altair validator guide's "two-thirds of the way through the slot")
 *
 * Duties are fetched per epoch and fetched again whenever the beacon node reports another `dependent_root` for them
 * (a re-org changed the shuffling's seed block): proposer and attester duties of the current epoch are asked for at
 * every slot start (two small calls) and replaced if their dependent root moved. Validator indices are resolved from
 * the cluster's pubkeys at every epoch, so validators activated later are picked up.
 *
 * No single failed call costs a duty that is already known: each kind of duty is fetched on its own (a refused
 * proposer-duty call does not lose the slot's attestations), the last known validator list and duties stand when a
 * refresh fails, and the next epoch's attester duties are fetched one epoch ahead (the shuffling is fixed by then,
 * as the validator guide says), so an epoch's first slot does not hang on a call made at its start.
 */
import { hex } from './codec.ts';
import type { AttesterDuty, BeaconClient, ProposerDuty, SyncDuty, ValidatorInfo } from '../beacon/client.ts';
import type { Duty, DutyDefinition, DutyHandler, DutyType, Hex, Scheduler } from './types.ts';

export interface SlotSchedulerOptions {
  beacon: BeaconClient;
  /** The cluster's validators (group pubkeys, lower-case hex). */
  pubkeys: readonly Hex[];
  /** Duty fetch failed, dependent root changed, … */
  onEvent?: (event: string, fields: Record<string, unknown>) => void;
  /** Fractions of the slot at which duties fire (default Charon/spec: attest 1/3, aggregate 2/3). */
  offsets?: Partial<Record<DutyType, number>>;
}

const DEFAULT_OFFSETS: Record<DutyType, number> = {
  randao: 0,
  proposer: 0,
  prepare_aggregator: 0,
  attester: 1 / 3,
  sync_message: 1 / 3,
  aggregator: 2 / 3,
  prepare_sync_contribution: 0,
  sync_contribution: 2 / 3,
  exit: 0,
};

export class SlotScheduler implements Scheduler {
  readonly #o: SlotSchedulerOptions;
  readonly #offsets: Record<DutyType, number>;
  readonly #handlers: DutyHandler[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  #stopped = false;
  #indices = new Map<number, Hex>();
  #vals: ValidatorInfo[] = [];
  #valsEpoch = -1;
  #attester = new Map<number, { root: string; duties: AttesterDuty[] }>();
  #proposer = new Map<number, { root: string; duties: ProposerDuty[] }>();
  #sync = new Map<number, SyncDuty[]>();

  constructor(o: SlotSchedulerOptions) {
    this.#o = o;
    this.#offsets = { ...DEFAULT_OFFSETS, ...(o.offsets ?? {}) };
  }

  onDuty(handler: DutyHandler): void {
    this.#handlers.push(handler);
  }

  async start(): Promise<void> {
    const b = this.#o.beacon;
    // before genesis the first slot to run is slot 0; afterwards the next slot (the current one is under way)
    this.#arm(Date.now() < b.slotStartMs(0) ? 0 : b.currentSlot() + 1);
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  /** Duties known for an epoch (for the status view). */
  known(epoch: number): { attester: number; proposer: number; sync: number } {
    return {
      attester: this.#attester.get(epoch)?.duties.length ?? 0,
      proposer: this.#proposer.get(epoch)?.duties.length ?? 0,
      sync: this.#sync.get(epoch)?.length ?? 0,
    };
  }

  #at(ms: number, fn: () => void): void {
    if (this.#stopped) return;
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (!this.#stopped) fn();
    }, Math.max(0, ms - Date.now()));
    this.#timers.add(t);
  }

  #arm(slot: number): void {
    this.#at(this.#o.beacon.slotStartMs(slot), () => {
      this.#arm(slot + 1);
      void this.#onSlot(slot);
    });
  }

  #emit(duty: Duty, defs: DutyDefinition[]): void {
    if (defs.length === 0) return;
    const at = this.#o.beacon.slotStartMs(duty.slot) + this.#offsets[duty.type] * this.#o.beacon.chain.slotMs;
    this.#at(at, () => {
      for (const h of this.#handlers) h(duty, defs);
    });
  }

  async #onSlot(slot: number): Promise<void> {
    const b = this.#o.beacon;
    const epoch = b.epochOf(slot);
    try {
      await this.#refresh(epoch);
    } catch (e) {
      this.#o.onEvent?.('duties_fetch_failed', { slot, epoch, error: (e as Error).message });
    }
    const prop = (this.#proposer.get(epoch)?.duties ?? []).filter((d) => d.slot === slot && this.#indices.has(d.validatorIndex));
    const propDefs = prop.map((d) => ({ pubkey: hex(d.pubkey), validatorIndex: d.validatorIndex }));
    this.#emit({ slot, type: 'randao' }, propDefs);
    this.#emit({ slot, type: 'proposer' }, propDefs);
    const att = (this.#attester.get(epoch)?.duties ?? []).filter((d) => d.slot === slot);
    const attDefs: DutyDefinition[] = att.map((d) => ({
      pubkey: hex(d.pubkey),
      validatorIndex: d.validatorIndex,
      committeeIndex: d.committeeIndex,
      committeeLength: d.committeeLength,
      committeesAtSlot: d.committeesAtSlot,
      validatorCommitteeIndex: d.validatorCommitteeIndex,
    }));
    this.#emit({ slot, type: 'prepare_aggregator' }, attDefs);
    this.#emit({ slot, type: 'attester' }, attDefs);
    this.#emit({ slot, type: 'aggregator' }, attDefs);
    // The last slot of a sync committee period is signed by the NEXT period's committee (its message goes into the
    // next slot's block: altair validator guide, is_assigned_to_sync_committee for compute_epoch_at_slot(slot + 1)).
    const period = (e: number) => Math.floor(e / b.chain.epochsPerSyncCommitteePeriod);
    const syncEpoch = b.epochOf(slot + 1);
    if (period(syncEpoch) !== period(epoch) && !this.#sync.has(syncEpoch) && this.#indices.size > 0) {
      try {
        this.#sync.set(syncEpoch, await b.syncDuties(syncEpoch, [...this.#indices.keys()]));
      } catch (e) {
        this.#o.onEvent?.('sync_duties_unavailable', { epoch: syncEpoch, error: (e as Error).message });
      }
    }
    const sync = this.#sync.get(period(syncEpoch) !== period(epoch) ? syncEpoch : epoch) ?? [];
    const syncDefs: DutyDefinition[] = sync.map((d) => ({ pubkey: hex(d.pubkey), validatorIndex: d.validatorIndex, syncCommitteeIndices: d.validatorSyncCommitteeIndices }));
    this.#emit({ slot, type: 'prepare_sync_contribution' }, syncDefs);
    this.#emit({ slot, type: 'sync_message' }, syncDefs);
    this.#emit({ slot, type: 'sync_contribution' }, syncDefs);
    for (const m of [this.#attester, this.#proposer, this.#sync] as Map<number, unknown>[]) {
      for (const e of m.keys()) if (e < epoch - 1) m.delete(e);
    }
  }

  /**
   * The cluster's validators active in `epoch`, by their own activation and exit epochs, not their status: at an
   * epoch's first slot the beacon node's head state may not have run the epoch transition yet, so a validator
   * activating now still reads as pending.
   */
  #activeIn(epoch: number): Map<number, Hex> {
    return new Map(this.#vals.filter((v) => v.activationEpoch <= epoch && epoch < v.exitEpoch).map((v) => [v.index, hex(v.pubkey)]));
  }

  #failed(kind: string, epoch: number, e: unknown): void {
    this.#o.onEvent?.('duties_fetch_failed', { kind, epoch, error: (e as Error).message });
  }

  async #refresh(epoch: number): Promise<void> {
    const b = this.#o.beacon;
    if (this.#valsEpoch !== epoch) {
      try {
        this.#vals = await b.validators([...this.#o.pubkeys]);
        this.#valsEpoch = epoch;
        this.#o.onEvent?.('validators_resolved', { epoch, active: this.#activeIn(epoch).size, known: this.#vals.length, cluster: this.#o.pubkeys.length });
      } catch (e) {
        this.#failed('validators', epoch, e); // the last known list stands; asked again next slot
      }
    }
    this.#indices = this.#activeIn(epoch);
    const indices = [...this.#indices.keys()];
    if (indices.length === 0) return;
    const [att, prop] = await Promise.allSettled([b.attesterDuties(epoch, indices), b.proposerDuties(epoch)]);
    if (att.status === 'fulfilled') this.#setAttester(epoch, att.value);
    else this.#failed('attester', epoch, att.reason);
    if (prop.status === 'fulfilled') {
      const old = this.#proposer.get(epoch);
      if (old !== undefined && old.root !== prop.value.dependentRoot) {
        this.#o.onEvent?.('dependent_root_changed', { epoch, kind: 'proposer', old: old.root, new: prop.value.dependentRoot });
      }
      this.#proposer.set(epoch, { root: prop.value.dependentRoot, duties: prop.value.duties });
    } else this.#failed('proposer', epoch, prop.reason);
    if (!this.#sync.has(epoch)) {
      try {
        this.#sync.set(epoch, await b.syncDuties(epoch, indices));
      } catch (e) {
        this.#sync.set(epoch, []);
        this.#o.onEvent?.('sync_duties_unavailable', { epoch, error: (e as Error).message });
      }
    }
    // one epoch ahead: the next epoch's attester duties (re-checked against their dependent root once it begins)
    const next = [...this.#activeIn(epoch + 1).keys()];
    if (!this.#attester.has(epoch + 1) && next.length > 0) {
      try {
        this.#setAttester(epoch + 1, await b.attesterDuties(epoch + 1, next));
      } catch (e) {
        this.#failed('attester', epoch + 1, e);
      }
    }
  }

  #setAttester(epoch: number, att: { dependentRoot: string; duties: AttesterDuty[] }): void {
    const old = this.#attester.get(epoch);
    if (old !== undefined && old.root !== att.dependentRoot) {
      this.#o.onEvent?.('dependent_root_changed', { epoch, kind: 'attester', old: old.root, new: att.dependentRoot });
    }
    this.#attester.set(epoch, { root: att.dependentRoot, duties: att.duties });
  }
}
