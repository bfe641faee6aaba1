/**
 * Prometheus metrics of a dv-node (prom-client, one registry per node so tests can run several in one process).
 * Names are prefixed `dvnode_`. Hooks adapt the consensus and p2p components' metric interfaces.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ConsensusMetrics, Duty as QbftDuty } from '../consensus/types.ts';
import type { P2pMetrics } from '../p2p/types.ts';

export class NodeMetrics {
  readonly registry = new Registry();
  readonly duties: Counter<'type' | 'outcome'>;
  readonly failures: Counter<'type' | 'reason'>;
  readonly dutyLatency: Histogram<'type'>;
  readonly consensusDecided: Counter<'type' | 'round'>;
  readonly consensusRoundChanges: Counter<'type' | 'cause'>;
  readonly consensusDuration: Histogram<'type'>;
  readonly consensusDropped: Counter<'reason'>;
  readonly invalidPartials: Counter<'peer'>;
  readonly peersConnected: Gauge;
  readonly p2pMessages: Counter<'direction' | 'topic'>;
  readonly beaconErrors: Counter<'endpoint'>;
  readonly slashingRefusals: Counter<'type'>;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const r = [this.registry];
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
    this.duties = new Counter({ name: 'dvnode_duties_total', help: 'Validator duties by type and outcome (success or a failure reason)', labelNames: ['type', 'outcome'], registers: r });
    this.failures = new Counter({ name: 'dvnode_duty_failures_total', help: 'Failed validator duties by type and reason', labelNames: ['type', 'reason'], registers: r });
    this.dutyLatency = new Histogram({
      name: 'dvnode_duty_latency_seconds',
      help: 'From the duty trigger to submission to the beacon node',
      labelNames: ['type'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8],
      registers: r,
    });
    this.consensusDecided = new Counter({ name: 'dvnode_consensus_decided_total', help: 'QBFT decisions by duty type and deciding round', labelNames: ['type', 'round'], registers: r });
    this.consensusRoundChanges = new Counter({ name: 'dvnode_consensus_round_changes_total', help: 'QBFT round changes by duty type and cause', labelNames: ['type', 'cause'], registers: r });
    this.consensusDuration = new Histogram({
      name: 'dvnode_consensus_duration_seconds',
      help: 'QBFT instance start to decision',
      labelNames: ['type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.75, 1.5, 3],
      registers: r,
    });
    this.consensusDropped = new Counter({ name: 'dvnode_consensus_dropped_messages_total', help: 'QBFT messages dropped, by reason', labelNames: ['reason'], registers: r });
    this.invalidPartials = new Counter({ name: 'dvnode_invalid_partials_total', help: 'Partial signatures that did not verify, by sending operator index', labelNames: ['peer'], registers: r });
    this.peersConnected = new Gauge({ name: 'dvnode_peers_connected', help: 'Cluster peers with an open authenticated connection (self excluded)', registers: r });
    this.p2pMessages = new Counter({ name: 'dvnode_p2p_messages_total', help: 'Cluster messages by direction and topic', labelNames: ['direction', 'topic'], registers: r });
    this.beaconErrors = new Counter({ name: 'dvnode_beacon_errors_total', help: 'Failed beacon node calls by endpoint', labelNames: ['endpoint'], registers: r });
    this.slashingRefusals = new Counter({ name: 'dvnode_slashing_refusals_total', help: 'Signatures refused by slashing protection, by duty type', labelNames: ['type'], registers: r });
  }

  consensusHooks(): ConsensusMetrics {
    return {
      messageSent: () => {},
      messageDropped: (_d, reason) => this.consensusDropped.inc({ reason }),
      roundChanged: (d: QbftDuty, _round, cause) => this.consensusRoundChanges.inc({ type: d.type, cause }),
      decided: (d: QbftDuty, round, latencyMs) => {
        this.consensusDecided.inc({ type: d.type, round: String(round) });
        this.consensusDuration.observe({ type: d.type }, latencyMs / 1000);
      },
      equivocation: () => this.consensusDropped.inc({ reason: 'equivocation-evidence' }),
      abandoned: () => {},
    };
  }

  p2pHooks(): P2pMetrics {
    return {
      messageSent: (topic) => this.p2pMessages.inc({ direction: 'out', topic }),
      messageReceived: (topic) => this.p2pMessages.inc({ direction: 'in', topic }),
    };
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }
}
