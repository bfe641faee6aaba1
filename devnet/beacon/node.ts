/**
 * A runnable beacon node: the chain core + the standard Beacon API over HTTP + the execution link, driven either by
 * the wall clock (devnet: EL poll just before the slot, slot start → epoch processing and block, 1/3 slot →
 * attestations) or manually (`advanceTo`, tests; a test may switch to the wall clock with `followWallClock`).
 *
 * The wall clock prepares each slot ahead of its start, as real beacon nodes advance their head state before the
 * slot: the EL is read `EL_POLL_LEAD_MS` early and the slot (with any epoch transition) starts `SLOT_START_LEAD_MS`
 * early, so a validator client asking at a slot's first millisecond for that epoch's duties is answered, not
 * refused as asking about the future.
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

/** How long before a slot's start the EL's deposits and EIP-7002 requests are read (an anvil poll takes ms). */
const EL_POLL_LEAD_MS = 300;
/** How long before its nominal start a slot's state (and epoch transition) is ready. */
const SLOT_START_LEAD_MS = 20;

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
  private following = false;
  /** The first error of a wall-clock slot, if any (the clock logs it and carries on). */
  clockError: Error | undefined;

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
    if ((options.clock ?? 'wall') === 'wall') n.followWallClock();
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

  /** Runs each slot from the chain's next one at its wall-clock time (slots already due run at once). */
  followWallClock(): void {
    if (this.following) throw new Error('the beacon node already follows the wall clock');
    this.following = true;
    this.scheduleNext();
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    const c = this.chain;
    const nowS = Date.now() / 1000;
    const current = Math.max(0, Math.floor((nowS - c.s.genesisTime) / c.opts.slotTime));
    const next = Math.max(current, c.slot) + 1;
    // if we are behind, catch up now (empty slots are processed without duties)
    if (current > c.slot + 1) c.processSlots(current - 1);
    const startMs = c.slotStartTime(next) * 1000;
    this.timer = setTimeout(() => {
      this.busy = this.busy.then(async () => {
        if (this.stopped) return;
        await this.el?.poll();
        await this.until(startMs - SLOT_START_LEAD_MS);
        if (this.stopped) return;
        c.startSlot(next);
        await this.el?.flush();
        await this.until(startMs + (c.opts.slotTime * 1000) / 3);
        if (this.stopped) return;
        c.attestationDue(next);
        if (next % c.opts.slotsPerEpoch === 0) this.log(`slot ${next} epoch ${c.epoch} head ${c.headSlot} justified ${c.s.currentJustified.epoch} finalized ${c.s.finalized.epoch} validators ${c.s.validators.length}`);
      }).catch((e: unknown) => {
        this.clockError ??= e instanceof Error ? e : new Error(String(e));
        this.log(`slot ${next} failed: ${(e as Error).stack ?? e}`);
      }).finally(() => this.scheduleNext());
    }, Math.max(0, startMs - EL_POLL_LEAD_MS - Date.now()));
  }

  /** Resolves at `atMs` (epoch milliseconds), or at once when stopped. */
  private until(atMs: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((r) => {
      this.wake = () => {
        this.wake = null;
        r();
      };
      this.timer = setTimeout(this.wake, Math.max(0, atMs - Date.now()));
    });
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
