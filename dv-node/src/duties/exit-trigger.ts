/**
 * Exit triggers: what makes the cluster threshold-sign a voluntary exit.
 *
 * - `FileExitTrigger`: `dv-node exit` drops a request file (`<data-dir>/exit-requests/<pubkey>.json`, `{pubkey, epoch}`)
 *   that the running node picks up (each operator runs the command; t of them suffice). Handled files are renamed
 *   `*.done`.
 * - `ChainExitTrigger`: watches the protocol's exit-request event on the execution layer (viem). The event is given
 *   as a human-readable ABI item with a `bytes pubkey` argument (e.g. `event ExitRequested(uint256 indexed
 *   clusterId, bytes pubkey)`), because the contracts' event is not final yet; the exit epoch is the epoch of the
 *   event's block time, so every node derives the same exit message.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { createPublicClient, http, parseAbiItem, type AbiEvent, type Address } from 'viem';
import type { ExitTrigger, Hex } from './types.ts';

type ExitHandler = (req: { pubkey: Hex; epoch: number; source: string }) => void;

/** Poll period of the request directory (ms). */
const FILE_POLL_MS = 1000;

export function exitRequestDir(dataDir: string): string {
  return join(dataDir, 'exit-requests');
}

export class FileExitTrigger implements ExitTrigger {
  readonly #dir: string;
  readonly #currentEpoch: () => number;
  readonly #handlers: ExitHandler[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(dataDir: string, currentEpoch: () => number) {
    this.#dir = exitRequestDir(dataDir);
    this.#currentEpoch = currentEpoch;
  }

  onExit(handler: ExitHandler): void {
    this.#handlers.push(handler);
  }

  async start(): Promise<void> {
    mkdirSync(this.#dir, { recursive: true });
    this.#poll();
    this.#timer = setInterval(() => this.#poll(), FILE_POLL_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  #poll(): void {
    if (!existsSync(this.#dir)) return;
    for (const name of readdirSync(this.#dir)) {
      if (!name.endsWith('.json')) continue;
      const path = join(this.#dir, name);
      let req: { pubkey?: string; epoch?: number };
      try {
        req = JSON.parse(readFileSync(path, 'utf8')) as typeof req;
        renameSync(path, `${path}.done`);
      } catch {
        continue; // being written; next poll
      }
      if (typeof req.pubkey !== 'string' || !/^0x[0-9a-fA-F]{96}$/.test(req.pubkey)) {
        renameSync(`${path}.done`, `${path}.invalid`);
        continue;
      }
      const epoch = typeof req.epoch === 'number' ? req.epoch : this.#currentEpoch();
      for (const h of this.#handlers) h({ pubkey: req.pubkey.toLowerCase() as Hex, epoch, source: `file ${name}` });
    }
  }
}

export interface ChainExitTriggerOptions {
  rpcUrl: string;
  contract: Address;
  /** Human-readable ABI of the event, with a `bytes pubkey` argument. */
  event: string;
  /** Only pubkeys of this cluster trigger an exit. */
  pubkeys: readonly Hex[];
  /** Epoch of a unix time (seconds). */
  epochAt: (unixSeconds: number) => number;
}

export class ChainExitTrigger implements ExitTrigger {
  readonly #o: ChainExitTriggerOptions;
  readonly #event: AbiEvent;
  readonly #handlers: ExitHandler[] = [];
  #unwatch: (() => void) | undefined;

  constructor(o: ChainExitTriggerOptions) {
    this.#o = o;
    const item = parseAbiItem(o.event);
    if (item.type !== 'event' || !item.inputs.some((i) => i.name === 'pubkey' && i.type === 'bytes')) {
      throw new Error(`exit event must be an event with a "bytes pubkey" argument, got: ${o.event}`);
    }
    this.#event = item;
  }

  onExit(handler: ExitHandler): void {
    this.#handlers.push(handler);
  }

  async start(): Promise<void> {
    const client = createPublicClient({ transport: http(this.#o.rpcUrl), pollingInterval: 500 });
    const ours = new Set(this.#o.pubkeys.map((p) => p.toLowerCase()));
    this.#unwatch = client.watchEvent({
      address: this.#o.contract,
      event: this.#event,
      onLogs: async (logs) => {
        for (const log of logs) {
          const pubkey = ((log as unknown as { args: { pubkey?: string } }).args.pubkey ?? '').toLowerCase();
          if (!ours.has(pubkey) || log.blockNumber === null) continue;
          const block = await client.getBlock({ blockNumber: log.blockNumber });
          const epoch = this.#o.epochAt(Number(block.timestamp));
          for (const h of this.#handlers) h({ pubkey: pubkey as Hex, epoch, source: `event in tx ${log.transactionHash}` });
        }
      },
    });
  }

  stop(): void {
    this.#unwatch?.();
  }
}
