// The one mapping module of every data source: graph build compiles it once and each data source names its
// handlers in it (subgraph/sources.ts). Handler names are unique across contracts.
export * from './governance';
export * from './pool';
export * from './queue';
export * from './router';
export * from './registry';
export * from './dsm';
export * from './consensus';
export * from './oracle';
export * from './sanity';
export * from './vaults';
export * from './depositContract';
