/**
 * A runnable beacon node: the chain core + the standard Beacon API over HTTP + the execution link, driven either by
 * the wall clock (devnet: slot start → EL poll and block, 1/3 slot → attestations) or manually (`advanceTo`, tests).
 * TEST INFRASTRUCTURE ONLY — never a production client.
 */
import type { Server } from 'node:http';
import { routes } from '@lodestar/api';
import { BeaconChain } from './chain.ts';
import { ExecutionFollower } from './el.ts';
import { createHandlers } from './api/handlers.ts';
import { BeaconApiRouter, type AnyMethod } from './api/router.ts';
import { attachEvents } from './api/events.ts';
import type { BeaconOptionsInput } from './params.ts';

export interface BeaconNodeOptions extends BeaconOptionsInput {
  /** Execution-layer JSON-RPC URL (anvil with our predeploys); omitted = no execution link. */
  elRpcUrl?: string;
  /** HTTP port (0 = any free port). */
  port?: number;
  host?: string;
  /** 'wall' drives slots from the clock; 'manual' waits for advanceTo(). */
  clock?: 'wall' | 'manual';
  log?: (msg: string) => void;
}

export class BeaconNode {
  readonly chain: BeaconChain;
  readonly el: ExecutionFollower | null;
  readonly router = new BeaconApiRouter();
  private server: Server | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private busy: Promise<void> = Promise.resolve();
  private wake: (() => void) | null = null;
  url = '';
  private readonly log: (msg: string) => void;
  private slotTimes: number[] = [];

  constructor(readonly options: BeaconNodeOptions) {
    this.log = options.log ?? (() => {});
    this.chain = new BeaconChain(options);
    this.chain.onWarning = (m) => this.log(`warning: ${m}`);
    this.el = options.elRpcUrl ? new ExecutionFollower(this.chain, { rpcUrl: options.elRpcUrl, depositContract: this.chain.opts.depositContractAddress as `0x${string}`, log: this.log }) : null;
    const h = createHandlers(this.chain);
    const cfg = this.chain.forkConfig;
    this.router.register(routes.beacon.getDefinitions(cfg) as unknown as Record<string, unknown>, h.beacon as unknown as Record<string, AnyMethod>);
    this.router.register(routes.validator.getDefinitions(cfg) as unknown as Record<string, unknown>, h.validator as unknown as Record<string, AnyMethod>);
    this.router.register(routes.node.getDefinitions(cfg) as unknown as Record<string, unknown>, h.node as unknown as Record<string, AnyMethod>);
    this.router.register(routes.config.getDefinitions(cfg) as unknown as Record<string, unknown>, h.config as unknown as Record<string, AnyMethod>);
    attachEvents(this.router, this.chain);
  }

  static async start(options: BeaconNodeOptions): Promise<BeaconNode> {
    const n = new BeaconNode(options);
    const { server, url } = await n.router.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    n.server = server;
    n.url = url;
    if ((options.clock ?? 'wall') === 'wall') n.scheduleNext();
    return n;
  }

  /** Runs one slot: EL inputs, slot start (epoch processing, interop block), then the attestation deadline. */
  private async runSlot(slot: number, beforeAttest?: (slot: number) => void | Promise<void>): Promise<void> {
    const t0 = performance.now();
    await this.el?.poll();
    this.chain.startSlot(slot);
    await this.el?.flush();
    await beforeAttest?.(slot);
    this.chain.attestationDue(slot);
    this.slotTimes.push(performance.now() - t0);
    if (this.slotTimes.length > 1000) this.slotTimes.shift();
    if (slot % this.chain.opts.slotsPerEpoch === 0) {
      const s = this.chain.s;
      this.log(`slot ${slot} epoch ${this.chain.epoch} head ${this.chain.headSlot} justified ${s.currentJustified.epoch} finalized ${s.finalized.epoch} validators ${s.validators.length}`);
    }
  }

  /** Tests: runs every slot up to `slot` instantly (manual clock). */
  async advanceTo(slot: number, beforeAttest?: (slot: number) => void | Promise<void>): Promise<void> {
    const run = async () => {
      for (let s = this.chain.slot + 1; s <= slot; s++) await this.runSlot(s, beforeAttest);
      await this.el?.flush();
    };
    this.busy = this.busy.then(run, run);
    return this.busy;
  }

  /** Milliseconds spent in each recent slot's processing (EL I/O included). */
  get slotProcessingMs(): number[] {
    return [...this.slotTimes];
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    const c = this.chain;
    const nowS = Date.now() / 1000;
    const current = Math.max(0, Math.floor((nowS - c.s.genesisTime) / c.opts.slotTime));
    const next = Math.max(current, c.slot) + 1;
    // if we are behind, catch up now (empty slots are processed without duties)
    if (current > c.slot + 1) c.processSlots(current - 1);
    const startMs = c.slotStartTime(next) * 1000 - Date.now();
    this.timer = setTimeout(() => {
      this.busy = this.busy.then(async () => {
        if (this.stopped) return;
        await this.el?.poll();
        c.startSlot(next);
        await this.el?.flush();
        const attestAt = (c.slotStartTime(next) + c.opts.slotTime / 3) * 1000 - Date.now();
        await new Promise<void>((r) => {
          this.wake = r;
          this.timer = setTimeout(r, Math.max(0, attestAt));
        });
        this.wake = null;
        if (this.stopped) return;
        c.attestationDue(next);
        if (next % c.opts.slotsPerEpoch === 0) this.log(`slot ${next} epoch ${c.epoch} head ${c.headSlot} justified ${c.s.currentJustified.epoch} finalized ${c.s.finalized.epoch} validators ${c.s.validators.length}`);
      }).catch((e: unknown) => this.log(`slot ${next} failed: ${(e as Error).stack ?? e}`)).finally(() => this.scheduleNext());
    }, Math.max(0, startMs));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.busy.catch(() => {});
    await this.el?.flush();
    if (this.server) {
      const s = this.server;
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }
}
