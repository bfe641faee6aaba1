/**
 * Runs the built subgraph as graph-node would, offline: reads `build/subgraph.yaml` (what `graph build` produced
 * and a deployment would upload: data sources, ABIs, WASM, schema) and feeds real logs (from a chain through
 * viem) in block and log order, dispatching each log to the handler the manifest names for its address and
 * event signature. As graph-node does, every trigger runs in a fresh instance of the data source's module (no
 * state survives between handlers except the store), with the host functions of ./host.ts. Entities land in
 * one in-memory EntityStore shared by all data sources.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAddress, toEventSelector, type Hex, type PublicClient } from 'viem';
import { AscHeap, type MappingExports } from './asc.ts';
import { writeEvent, type AbiEventItem, type AbiParam, type RpcBlock, type RpcLog, type RpcTransaction } from './ethereum.ts';
import { buildImports, type LogLine } from './host.ts';
import { EntityStore, loadSchema } from './store.ts';

export interface ManifestHandler {
  event: string;
  handler: string;
}

export interface ManifestDataSource {
  name: string;
  network: string;
  address: `0x${string}`;
  abiFile: string;
  wasmFile: string;
  startBlock: number;
  handlers: ManifestHandler[];
}

/** Reads the data sources of a subgraph.yaml as scripts/generate.ts or `graph build` writes it. */
export function parseSubgraphYaml(text: string): ManifestDataSource[] {
  const out: ManifestDataSource[] = [];
  let cur: ManifestDataSource | undefined;
  let pendingEvent: string | undefined;
  const unq = (s: string): string => (s.startsWith('"') ? (JSON.parse(s) as string) : s);
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if (line === '- kind: ethereum/contract' || line === '- kind: ethereum') {
      cur = { name: '', network: '', address: '0x', abiFile: '', wasmFile: '', startBlock: 0, handlers: [] };
      out.push(cur);
    } else if (!cur) {
      continue;
    } else if ((m = /^name: (.+)$/.exec(line)) && cur.name === '') {
      cur.name = unq(m[1]!);
    } else if ((m = /^network: (.+)$/.exec(line))) {
      cur.network = unq(m[1]!);
    } else if ((m = /^address: (.+)$/.exec(line))) {
      cur.address = unq(m[1]!) as `0x${string}`;
    } else if ((m = /^startBlock: (\d+)$/.exec(line))) {
      cur.startBlock = Number(m[1]);
    } else if ((m = /^file: (.+\.json)$/.exec(line)) && cur.abiFile === '') {
      cur.abiFile = unq(m[1]!);
    } else if ((m = /^file: (.+\.wasm)$/.exec(line))) {
      cur.wasmFile = unq(m[1]!);
    } else if ((m = /^- event: (.+)$/.exec(line))) {
      pendingEvent = unq(m[1]!);
    } else if ((m = /^handler: (\w+)$/.exec(line)) && pendingEvent !== undefined) {
      cur.handlers.push({ event: pendingEvent, handler: m[1]! });
      pendingEvent = undefined;
    } else if (pendingEvent !== undefined && line !== '') {
      pendingEvent += ` ${line}`; // graph build folds long plain scalars over lines (joined by one space)
    }
  }
  return out;
}

function canonicalType(p: AbiParam): string {
  if (p.type.startsWith('tuple')) return `(${(p.components ?? []).map(canonicalType).join(',')})${p.type.slice(5)}`;
  return p.type;
}

/** `Name(indexed address,uint256)`, the manifest's form of an event. */
export function manifestSignature(ev: AbiEventItem): string {
  return `${ev.name}(${ev.inputs.map((p) => `${p.indexed ? 'indexed ' : ''}${canonicalType(p)}`).join(',')})`;
}

interface Route {
  event: AbiEventItem;
  handler: string;
}

interface LoadedSource {
  spec: ManifestDataSource;
  module: WebAssembly.Module;
  routes: Map<Hex, Route>;
}

export interface ReplayStats {
  logs: number;
  handled: number;
  byHandler: Map<string, number>;
}

export class SubgraphHarness {
  readonly store: EntityStore;
  readonly logs: LogLine[] = [];
  private readonly sources = new Map<string, LoadedSource>();
  readonly stats: ReplayStats = { logs: 0, handled: 0, byHandler: new Map() };
  /** Logs of indexed addresses whose event has no handler (graph-node ignores them; tests assert none). */
  readonly unhandled: { source: string; topic0: Hex }[] = [];

  private constructor(readonly dir: string, readonly dataSources: ManifestDataSource[]) {
    this.store = new EntityStore(loadSchema(join(dir, 'schema.graphql')));
  }

  /**
   * Loads a built subgraph: `<buildDir>/subgraph.yaml` (as `graph build` rewrote it), its schema, ABIs and WASM.
   * `addresses` overrides data-source addresses by name (replaying a chain other than the one built for).
   */
  static async load(buildDir: string, addresses: Record<string, `0x${string}`> = {}): Promise<SubgraphHarness> {
    const specs = parseSubgraphYaml(readFileSync(join(buildDir, 'subgraph.yaml'), 'utf8'));
    if (specs.length === 0) throw new Error(`${buildDir}/subgraph.yaml has no data sources`);
    for (const s of specs) s.address = addresses[s.name] ?? s.address;
    const h = new SubgraphHarness(buildDir, specs);
    const modules = new Map<string, WebAssembly.Module>();
    for (const spec of specs) {
      let module = modules.get(spec.wasmFile);
      if (!module) modules.set(spec.wasmFile, (module = await WebAssembly.compile(readFileSync(join(buildDir, spec.wasmFile)))));
      h.addSource(spec, module);
    }
    return h;
  }

  private addSource(spec: ManifestDataSource, module: WebAssembly.Module): void {
    const abi = JSON.parse(readFileSync(join(this.dir, spec.abiFile), 'utf8')) as { type: string }[];
    const events = abi.filter((x): x is AbiEventItem => x.type === 'event');
    const routes = new Map<Hex, Route>();
    for (const h of spec.handlers) {
      const ev = events.find((e) => manifestSignature(e) === h.event);
      if (!ev) throw new Error(`${spec.name}: manifest event ${h.event} is not in ${spec.abiFile}`);
      routes.set(toEventSelector(ev), { event: ev, handler: h.handler });
    }
    const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
    for (const r of routes.values()) {
      if (!exported.has(r.handler)) throw new Error(`${spec.name}: handler ${r.handler} is not exported by ${spec.wasmFile}`);
    }
    this.sources.set(getAddress(spec.address), { spec, module, routes });
  }

  /** A fresh instance of a data source's module, started (graph-cli compiles with --explicitStart). */
  private instantiate(src: LoadedSource): { heap: AscHeap; exports: MappingExports & Record<string, unknown> } {
    const heap = new AscHeap();
    const imports = buildImports(src.module, {
      heap,
      store: this.store,
      dataSource: { name: src.spec.name, address: src.spec.address, network: src.spec.network },
      logs: this.logs,
    });
    const instance = new WebAssembly.Instance(src.module, imports);
    const exports = instance.exports as unknown as MappingExports & Record<string, unknown>;
    heap.bind(exports);
    exports._start();
    return { heap, exports };
  }

  /** Addresses of all data sources (for eth_getLogs). */
  addresses(): `0x${string}`[] {
    return this.dataSources.map((d) => getAddress(d.address));
  }

  /** Runs the handler for one log, if its address and event are indexed. */
  handleLog(log: RpcLog, block: RpcBlock, tx: RpcTransaction, transactionLogIndex: number): void {
    this.stats.logs++;
    const src = this.sources.get(getAddress(log.address));
    if (!src) return;
    const topic0 = log.topics[0];
    const route = topic0 ? src.routes.get(topic0) : undefined;
    if (!route) {
      this.unhandled.push({ source: src.spec.name, topic0: topic0 ?? '0x' });
      return;
    }
    try {
      const { heap, exports } = this.instantiate(src);
      const ptr = writeEvent(heap, route.event, log, block, tx, transactionLogIndex);
      (exports[route.handler] as (p: number) => void)(ptr);
    } catch (err) {
      throw new Error(
        `${src.spec.name}.${route.handler} failed on ${route.event.name} (block ${log.blockNumber}, tx ${log.transactionHash}, ` +
          `log ${log.logIndex}): ${(err as Error).message}`,
      );
    }
    this.stats.handled++;
    this.stats.byHandler.set(`${src.spec.name}.${route.handler}`, (this.stats.byHandler.get(`${src.spec.name}.${route.handler}`) ?? 0) + 1);
  }

  /**
   * Replays every log of the data sources' addresses in [fromBlock, toBlock] from a node, in order, fetching
   * each block and transaction once.
   */
  async replay(client: PublicClient, fromBlock: bigint, toBlock: bigint): Promise<void> {
    const logs = await client.getLogs({ address: this.addresses(), fromBlock, toBlock });
    logs.sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex! - b.logIndex! : a.blockNumber! < b.blockNumber! ? -1 : 1));
    const blocks = new Map<bigint, RpcBlock>();
    const txs = new Map<Hex, { tx: RpcTransaction; logIndexes: number[] }>();
    for (const log of logs) {
      const bn = log.blockNumber!;
      if (!blocks.has(bn)) blocks.set(bn, (await client.getBlock({ blockNumber: bn })) as unknown as RpcBlock);
      const hash = log.transactionHash!;
      if (!txs.has(hash)) {
        const [tx, receipt] = await Promise.all([
          client.getTransaction({ hash }),
          client.getTransactionReceipt({ hash }),
        ]);
        txs.set(hash, { tx: tx as unknown as RpcTransaction, logIndexes: receipt.logs.map((l) => l.logIndex) });
      }
      const t = txs.get(hash)!;
      this.handleLog(
        { address: log.address, topics: log.topics, data: log.data, logIndex: log.logIndex!, transactionHash: hash, blockNumber: bn },
        blocks.get(bn)!,
        t.tx,
        t.logIndexes.indexOf(log.logIndex!),
      );
    }
  }
}
