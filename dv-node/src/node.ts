/**
 * The one place where dv-node's components are wired together (see duties/types.ts for the drawing):
 *
 *   scheduler ─▶ fetcher ─▶ consensus ─▶ duty store ─▶ signer ─▶ parsigex ─▶ aggregator ─▶ broadcaster
 *
 * `wire()` takes already-opened resources (the verified cluster lock, this node's key shares, the cluster network,
 * the beacon client, the slashing-protection database) so it can be driven by the CLI (`dv-node run`), by the
 * integration tests and by the benchmark alike. Everything it creates is closed by `stop()`.
 */
import { ConsensusAbortedError, QbftConsensus } from './consensus/consensus.ts';
import { linearRoundTimer } from './consensus/clock.ts';
import { MessageVerifier } from './consensus/message-keys.ts';
import type { RoundTimer } from './consensus/types.ts';
import { fromHex } from './consensus/hex.ts';
import type { ClusterLock } from './cluster/types.ts';
import { publicKeyOfPeerId, type OperatorIdentity } from './identity/identity.ts';
import type { ClusterNetwork } from './p2p/types.ts';
import { consensusTransport } from './p2p/transport.ts';
import { BeaconApiError, type BeaconClient } from './beacon/client.ts';
import type { SlashingProtectionDb } from './slashing/db.ts';
import { MemoryAggSigDb } from './duties/aggsigdb.ts';
import { PartialAggregator } from './duties/aggregator.ts';
import { BeaconBroadcaster } from './duties/broadcaster.ts';
import { QbftDutyConsensus } from './duties/consensus.ts';
import { BeaconFetcher } from './duties/fetcher.ts';
import { allKinds } from './duties/kinds.ts';
import { NetworkParSigExchange } from './duties/parsigex.ts';
import { SlotScheduler } from './duties/scheduler.ts';
import { ShareSigner } from './duties/signer.ts';
import { MemoryDutyStore } from './duties/store.ts';
import { DutyError, FAILURE_REASONS, dutyKey, type Duty, type DutyDefinition, type DutyType, type ExitTrigger, type FailureReason, type Hex } from './duties/types.ts';
import { DESIGNATED_COMBINE, combinesValidator } from './duties/combiners.ts';
import type { Logger } from './ops/log.ts';
import type { NodeMetrics } from './ops/metrics.ts';
import type { ReadinessReport } from './ops/server.ts';

export interface WireOptions {
  lock: ClusterLock;
  identity: OperatorIdentity;
  /** group pubkey (lower-case hex) → this node's secret key share (32 bytes, big-endian). */
  shares: ReadonlyMap<Hex, Uint8Array>;
  network: ClusterNetwork;
  beacon: BeaconClient;
  slashing: SlashingProtectionDb;
  metrics: NodeMetrics;
  log: Logger;
  exitTriggers?: ExitTrigger[];
  roundTimer?: RoundTimer;
  /** TEST-ONLY: send invalid partial signatures (see ShareSigner). */
  faultInvalidPartials?: boolean;
}

export interface DutyRecord {
  slot: number;
  type: string;
  validators: number;
  succeeded: number;
  failures: Partial<Record<FailureReason, number>>;
  ms: number;
  /** ms spent in each stage: data (fetch and consensus), sign (slashing protection + partials), aggregate, submit. */
  stages: { data: number; sign: number; aggregate: number; submit: number };
}

export interface DvNode {
  start(): Promise<void>;
  stop(): Promise<void>;
  readiness(): Promise<ReadinessReport>;
  status(): Promise<unknown>;
  /** Threshold-signs and submits a voluntary exit (the cluster's other nodes must be asked too). */
  requestExit(pubkey: Hex, epoch?: number): Promise<void>;
  /** Runs one duty through the whole pipeline now (the scheduler does this at the duty's time; tests and the bench call it directly). */
  runDuty(duty: Duty, defs: readonly DutyDefinition[]): Promise<DutyRecord>;
  /** Last duty outcomes (newest last). */
  readonly recent: DutyRecord[];
}

const RECENT_DUTIES = 256;

/** Deadline of each duty type, in slots after the duty's slot start. */
const DEADLINE_SLOTS: Record<Duty['type'], number> = {
  randao: 1,
  proposer: 1,
  prepare_aggregator: 1,
  attester: 2,
  aggregator: 2,
  sync_message: 2,
  prepare_sync_contribution: 1,
  sync_contribution: 2,
  exit: 64,
};

export function wire(o: WireOptions): DvNode {
  const { lock, beacon, network, log, metrics } = o;
  const def = lock.definition;
  const threshold = def.threshold;
  const self = network.self;
  const chain = beacon.chain;
  const kinds = allKinds(chain);
  const pubkeys = lock.validators.map((v) => v.pubkey.toLowerCase() as Hex);
  const position = new Map(pubkeys.map((pk, i) => [pk, i]));
  /** The validators of a duty whose group signature this node combines and broadcasts (see duties/combiners.ts). */
  const combinedHere = (type: DutyType, pubkey: Hex) =>
    !DESIGNATED_COMBINE.has(type) || combinesValidator(self, position.get(pubkey) ?? 0, def.operators.length, threshold);
  const publicShares = new Map<Hex, Uint8Array[]>(lock.validators.map((v) => [v.pubkey.toLowerCase() as Hex, v.publicShares.map((s) => fromHex(s.toLowerCase() as Hex))]));
  const operatorName = (i: number) => `${i}:${def.operators[i]?.address ?? 'unknown'}`;

  // ---- components ----
  const store = new MemoryDutyStore();
  const aggSigs = new MemoryAggSigDb();
  const fetcher = new BeaconFetcher({ beacon, store, aggSigs }, kinds);
  const qbft = new QbftConsensus({
    cluster: lock.lockHash.toLowerCase() as Hex,
    n: def.operators.length,
    self,
    signer: o.identity.signer,
    verifier: new MessageVerifier(def.operators.map((op) => publicKeyOfPeerId(op.peerId))),
    transport: consensusTransport(network),
    roundTimer: o.roundTimer ?? linearRoundTimer(),
    metrics: metrics.consensusHooks(),
  });
  const consensus = new QbftDutyConsensus({
    qbft,
    onInvalidProposal: (duty, why) => log.warn('refused proposed duty data', { duty: dutyKey(duty), reason: 'invalid_proposal', why }),
  });
  const signer = new ShareSigner({ shares: o.shares, slashing: o.slashing, faultInvalidPartials: o.faultInvalidPartials ?? false });
  const parsigex = new NetworkParSigExchange({
    network,
    onMalformed: (from, detail) => log.warn('malformed partial signature message', { peer: operatorName(from), detail }),
  });
  const badPartials = new Map<string, { duty: Duty; from: number; validators: number }>();
  let badFlush = false;
  const aggregator = new PartialAggregator({
    threshold,
    publicShares,
    onInvalidPartial: (from, duty) => {
      metrics.invalidPartials.inc({ peer: operatorName(from) });
      const k = `${dutyKey(duty)}/${from}`;
      const e = badPartials.get(k) ?? { duty, from, validators: 0 };
      e.validators++;
      badPartials.set(k, e);
      if (!badFlush) {
        badFlush = true;
        setImmediate(() => {
          badFlush = false;
          for (const b of badPartials.values()) {
            log.warn('invalid partial signature from peer: dropped', {
              reason: 'invalid_partial_from_peer',
              peer: operatorName(b.from),
              peerIndex: b.from,
              duty: dutyKey(b.duty),
              validators: b.validators,
              explain: FAILURE_REASONS.invalid_partial_from_peer,
            });
          }
          badPartials.clear();
        });
      }
    },
    onRootMismatch: (from, duty, pubkey) => log.warn('partial signature over another root: dropped', { peer: operatorName(from), duty: dutyKey(duty), pubkey }),
  });
  parsigex.onPartials((from, duty, partials) => aggregator.add(from, duty, partials));
  const broadcaster = new BeaconBroadcaster(beacon, kinds);
  const scheduler = new SlotScheduler({
    beacon,
    pubkeys,
    onEvent: (event, fields) => (event === 'duties_fetch_failed' ? log.warn(event, { reason: 'beacon_node_error', ...fields }) : log.info(event, fields)),
  });

  const recent: DutyRecord[] = [];
  const running = new Set<Promise<unknown>>();
  let lastPruned = 0;

  function fail(duty: Duty, defs: readonly DutyDefinition[], reason: FailureReason, detail: string, record: DutyRecord): void {
    record.failures[reason] = (record.failures[reason] ?? 0) + defs.length;
    metrics.duties.inc({ type: duty.type, outcome: reason }, defs.length);
    metrics.failures.inc({ type: duty.type, reason }, defs.length);
    log.warn('duty failed', { duty: dutyKey(duty), reason, validators: defs.map((d) => d.validatorIndex), detail, explain: FAILURE_REASONS[reason] });
  }

  async function runDuty(duty: Duty, defs: readonly DutyDefinition[]): Promise<DutyRecord> {
    const kind = kinds.get(duty.type)!;
    const t0 = Date.now();
    const deadline = beacon.slotStartMs(duty.slot + DEADLINE_SLOTS[duty.type]);
    const record: DutyRecord = { slot: duty.slot, type: duty.type, validators: defs.length, succeeded: 0, failures: {}, ms: 0, stages: { data: 0, sign: 0, aggregate: 0, submit: 0 } };
    let mark = t0;
    const stage = (name: keyof DutyRecord['stages']) => {
      const now = Date.now();
      record.stages[name] = now - mark;
      mark = now;
    };
    try {
      let value: Uint8Array;
      if (kind.consensus) {
        // Every node fetches at the trigger (as Charon's fetcher does), so whoever leads a later round after a leader
        // failure proposes at once instead of fetching inside its round timer; a failed fetch is retried on demand.
        const prefetched = fetcher.fetch(duty, defs);
        prefetched.catch(() => {});
        value = await consensus.decide(duty, () => prefetched.catch(() => fetcher.fetch(duty, defs)), (v) => kind.validate(duty, v, defs), deadline);
      } else {
        value = await fetcher.fetch(duty, defs);
      }
      store.store(duty, value);
      stage('data');
      const items = kind.signingItems(duty, value, defs);
      const mine = defs.filter((d) => combinedHere(duty.type, d.pubkey));
      const result = aggregator.expect(duty, items.filter((it) => combinedHere(duty.type, it.pubkey)), deadline);
      const { partials, refused } = signer.sign(duty, items);
      for (const r of refused) {
        metrics.slashingRefusals.inc({ type: duty.type });
        log.warn('slashing protection refused to sign', { duty: dutyKey(duty), pubkey: r.pubkey, reason: 'slashing_protection_refused', detail: r.reason });
      }
      parsigex.broadcast(duty, partials);
      aggregator.add(self, duty, partials);
      stage('sign');
      const agg = await result;
      stage('aggregate');
      if (duty.type === 'randao' || duty.type === 'prepare_aggregator' || duty.type === 'prepare_sync_contribution') aggSigs.store(duty, agg.signatures);
      const done = await broadcaster.broadcast(duty, value, mine, agg.signatures);
      stage('submit');
      record.succeeded = done.length;
      metrics.duties.inc({ type: duty.type, outcome: 'success' }, done.length);
      for (const f of agg.failed) {
        const d = defs.filter((x) => x.pubkey === f.pubkey);
        fail(duty, d.length > 0 ? d : [{ pubkey: f.pubkey, validatorIndex: -1 }], f.reason, f.detail, record);
      }
      if (done.length > 0) metrics.dutyLatency.observe({ type: duty.type }, (Date.now() - t0) / 1000);
      log.info('duty done', { duty: dutyKey(duty), validators: defs.length, submitted: done.length, combinedByPeers: defs.length - mine.length, failed: agg.failed.length, ms: Date.now() - t0, stages: record.stages });
    } catch (e) {
      let reason: FailureReason = 'internal_error';
      if (e instanceof DutyError) reason = e.reason;
      else if (e instanceof BeaconApiError) {
        reason = 'beacon_node_error';
        metrics.beaconErrors.inc({ endpoint: e.endpoint });
      } else if (e instanceof ConsensusAbortedError) reason = 'consensus_timeout';
      fail(duty, defs, reason, reason === 'internal_error' ? ((e as Error).stack ?? String(e)) : (e as Error).message, record);
    } finally {
      record.ms = Date.now() - t0;
      recent.push(record);
      if (recent.length > RECENT_DUTIES) recent.shift();
    }
    return record;
  }

  function track(p: Promise<unknown>): void {
    running.add(p);
    void p.finally(() => running.delete(p));
  }

  scheduler.onDuty((duty, defs) => {
    const keep = duty.slot - 2 * chain.slotsPerEpoch;
    if (keep > lastPruned) {
      lastPruned = keep;
      store.prune(keep);
      aggSigs.prune(keep);
      aggregator.prune(keep);
    }
    track(runDuty(duty, defs));
  });

  async function requestExit(pubkey: Hex, epoch?: number): Promise<void> {
    const pk = pubkey.toLowerCase() as Hex;
    if (!publicShares.has(pk)) throw new Error(`validator ${pubkey} is not one of this cluster's validators`);
    const [v] = await beacon.validators([pk]);
    if (v === undefined) throw new Error(`validator ${pubkey} is not known to the beacon node (not deposited or not yet seen)`);
    const e = epoch ?? beacon.epochOf(beacon.currentSlot());
    log.info('voluntary exit requested', { pubkey: pk, validatorIndex: v.index, epoch: e });
    const duty: Duty = { slot: e * chain.slotsPerEpoch, type: 'exit' };
    const p = runDuty(duty, [{ pubkey: pk, validatorIndex: v.index, exitEpoch: e }]);
    track(p);
    const r = await p;
    if (r.succeeded === 0) throw new Error(`exit of ${pubkey} failed: ${JSON.stringify(r.failures)} (see the log)`);
  }

  for (const t of o.exitTriggers ?? []) {
    t.onExit((req) => {
      void requestExit(req.pubkey, req.epoch).catch((e: unknown) => log.warn('exit request refused', { pubkey: req.pubkey, source: req.source, error: (e as Error).message }));
    });
  }

  const connectedPeers = () => network.peers().filter((p) => !p.self && p.connected).length;

  return {
    recent,
    requestExit,
    runDuty: (duty, defs) => {
      const p = runDuty(duty, defs);
      track(p);
      return p;
    },
    async start() {
      for (const t of o.exitTriggers ?? []) await t.start();
      await scheduler.start();
      log.info('dv-node started', {
        cluster: lock.lockHash,
        operator: operatorName(self),
        threshold,
        validators: pubkeys.length,
        slotMs: chain.slotMs,
        slotsPerEpoch: chain.slotsPerEpoch,
      });
    },
    async stop() {
      scheduler.stop();
      for (const t of o.exitTriggers ?? []) t.stop();
      qbft.close();
      aggregator.close();
      await Promise.allSettled([...running]);
      store.close();
      aggSigs.close();
    },
    async readiness(): Promise<ReadinessReport> {
      const checks: ReadinessReport['checks'] = {};
      try {
        const s = await beacon.syncing();
        const ok = !s.isSyncing && s.syncDistance <= 1;
        checks.beacon = { ok, detail: ok ? `synced, head slot ${s.headSlot}` : `syncing (distance ${s.syncDistance})` };
      } catch (e) {
        checks.beacon = { ok: false, detail: (e as Error).message };
      }
      const peers = connectedPeers();
      metrics.peersConnected.set(peers);
      checks.peers = { ok: peers >= threshold - 1, detail: `${peers} of ${def.operators.length - 1} peers connected; ${threshold - 1} needed to reach threshold ${threshold}` };
      return { ready: Object.values(checks).every((c) => c.ok), checks };
    },
    async status() {
      const slot = beacon.currentSlot();
      let validators: unknown[] = pubkeys.map((p) => ({ pubkey: p }));
      try {
        const vals = await beacon.validators([...pubkeys]);
        const byPk = new Map(vals.map((v) => [`0x${Buffer.from(v.pubkey).toString('hex')}`, v]));
        validators = pubkeys.map((p) => {
          const v = byPk.get(p);
          return v ? { pubkey: p, index: v.index, status: v.status, balanceGwei: v.balance } : { pubkey: p, status: 'unknown' };
        });
      } catch (e) {
        validators = pubkeys.map((p) => ({ pubkey: p, status: `beacon node error: ${(e as Error).message}` }));
      }
      metrics.peersConnected.set(connectedPeers());
      return {
        cluster: { name: def.name, lockHash: lock.lockHash, threshold, operators: def.operators.length },
        self: { index: self, address: def.operators[self]?.address },
        slot,
        epoch: beacon.epochOf(slot),
        peers: network.peers(),
        validators,
        duties: scheduler.known(beacon.epochOf(slot)),
        recent: recent.slice(-32),
      };
    },
  };
}
