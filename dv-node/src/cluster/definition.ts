/**
 * Cluster definition: creation, canonical hash, operator signatures, verification.
 *
 * Hash:      definitionHash = keccak256("shoal/cluster-definition/v1\n" ‖ canonicalJson(body))   (canonical.ts)
 * Signature: every operator signs EIP-712 typed data
 *              domain  { name: "Shoal dv-node", version: "1", chainId: network.chainId }
 *              type    ClusterDefinition(bytes32 definitionHash)
 *            with its operator key (any wallet can produce it, e.g. `cast wallet sign --data`), giving a 65-byte
 *            r ‖ s ‖ v signature, low s. An unsigned slot is "0x" until that operator signs.
 *
 * Checked by `verifyDefinition`: shape (zod), n ∈ {4, 7, 10} and t = ceil(2n/3) (DESIGN.md: the DVT module's
 * cluster sizes), distinct operator ids / addresses / peer ids, every peer id derived from the key of the address
 * next to it, withdrawal credentials of type 0x01/0x02 (prefix ‖ 11 zero bytes ‖ address), the hash, and every
 * operator's signature.
 */
import { randomUUID } from 'node:crypto';
import { hashTypedData } from 'viem';
import { z } from 'zod';
import { fromHex, toHex } from '../consensus/hex.ts';
import { Secp256k1Verifier } from '../consensus/secp256k1.ts';
import { clusterThreshold } from '../crypto/field.ts';
import { FULL_DEPOSIT_GWEI, MIN_DEPOSIT_GWEI } from '../deposit/deposit.ts';
import { addressOfPeerId, type OperatorIdentity } from '../identity/identity.ts';
import { taggedHash } from './canonical.ts';
import { ClusterFileError, fieldPath } from './errors.ts';
import { DEFINITION_VERSION, type ClusterDefinition, type ClusterDefinitionBody, type ClusterOperator, type Hex } from './types.ts';

/** Cluster sizes the DVT module accepts (DESIGN.md). */
export const CLUSTER_SIZES: readonly number[] = [4, 7, 10];
/** Upper bound on V per ceremony: keeps one ceremony's messages and files to a sane size. */
export const MAX_VALIDATORS_PER_CEREMONY = 10_000;
export const EIP712_DOMAIN_NAME = 'Shoal dv-node';
export const EIP712_DOMAIN_VERSION = '1';
const UNSIGNED: Hex = '0x';

export const hexBytes = (n: number) =>
  z.string().regex(new RegExp(`^0x[0-9a-f]{${n * 2}}$`), `must be ${n} bytes of lower-case 0x-prefixed hex`).transform((s) => s as Hex);
const address = hexBytes(20);
const signatureOrEmpty = z
  .string()
  .regex(/^0x([0-9a-f]{130})?$/, 'must be a 65-byte lower-case 0x-prefixed hex signature, or "0x" while unsigned')
  .transform((s) => s as Hex);

export const ClusterOperatorSchema = z.object({
  operatorId: z.number().int().nonnegative(),
  address,
  peerId: z.string().min(1),
  multiaddrs: z.array(z.string().min(1)),
});

export const ClusterDefinitionBodySchema = z.object({
  version: z.literal(DEFINITION_VERSION),
  name: z.string().min(1).max(128),
  uuid: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a lower-case uuid'),
  createdAt: z.string().min(1),
  network: z.object({
    name: z.string().regex(/^[a-z0-9_-]+$/i, 'must be a plain identifier'),
    chainId: z.number().int().positive(),
    genesisForkVersion: hexBytes(4),
  }),
  withdrawalCredentials: hexBytes(32),
  feeRecipient: address,
  depositAmountGwei: z.number().int().min(MIN_DEPOSIT_GWEI),
  validators: z.number().int().min(1).max(MAX_VALIDATORS_PER_CEREMONY),
  threshold: z.number().int().positive(),
  operators: z.array(ClusterOperatorSchema).min(1),
});

export const ClusterDefinitionSchema = ClusterDefinitionBodySchema.extend({
  definitionHash: hexBytes(32),
  signatures: z.array(signatureOrEmpty),
});

export interface CreateDefinitionParameters {
  name: string;
  network: { name: string; chainId: number; genesisForkVersion: Hex };
  /** The protocol's WithdrawalVault; credentials are built as prefix ‖ 11 zero bytes ‖ address. */
  withdrawalAddress: Hex;
  /** 0x01 (default) or 0x02 (compounding). */
  withdrawalPrefix?: 0x01 | 0x02;
  feeRecipient: Hex;
  validators: number;
  operators: ClusterOperator[];
  depositAmountGwei?: number;
  uuid?: string;
  createdAt?: Date;
}

/** A new, unsigned definition (every signature slot "0x"). Throws naming the bad field. */
export function createDefinition(p: CreateDefinitionParameters): ClusterDefinition {
  const prefix = p.withdrawalPrefix ?? 0x01;
  if (!/^0x[0-9a-fA-F]{40}$/.test(p.withdrawalAddress)) throw new ClusterFileError('withdrawalAddress', `must be a 20-byte 0x address, got ${p.withdrawalAddress}`);
  const body: ClusterDefinitionBody = {
    version: DEFINITION_VERSION,
    name: p.name,
    uuid: p.uuid ?? randomUUID(),
    createdAt: (p.createdAt ?? new Date()).toISOString(),
    network: { ...p.network, genesisForkVersion: p.network.genesisForkVersion.toLowerCase() as Hex },
    withdrawalCredentials: `0x${prefix.toString(16).padStart(2, '0')}${'00'.repeat(11)}${p.withdrawalAddress.slice(2).toLowerCase()}`,
    feeRecipient: p.feeRecipient.toLowerCase() as Hex,
    depositAmountGwei: p.depositAmountGwei ?? FULL_DEPOSIT_GWEI,
    validators: p.validators,
    threshold: clusterThreshold(p.operators.length),
    operators: p.operators.map((o) => ({ ...o, address: o.address.toLowerCase() as Hex, multiaddrs: [...o.multiaddrs] })),
  };
  checkBody(body);
  return { ...body, definitionHash: definitionHash(body), signatures: body.operators.map(() => UNSIGNED) };
}

/** The body of a definition (without hash and signatures), in a fresh object. */
export function definitionBody(d: ClusterDefinitionBody): ClusterDefinitionBody {
  return {
    version: d.version,
    name: d.name,
    uuid: d.uuid,
    createdAt: d.createdAt,
    network: { name: d.network.name, chainId: d.network.chainId, genesisForkVersion: d.network.genesisForkVersion },
    withdrawalCredentials: d.withdrawalCredentials,
    feeRecipient: d.feeRecipient,
    depositAmountGwei: d.depositAmountGwei,
    validators: d.validators,
    threshold: d.threshold,
    operators: d.operators.map((o) => ({ operatorId: o.operatorId, address: o.address, peerId: o.peerId, multiaddrs: [...o.multiaddrs] })),
  };
}

export function definitionHash(body: ClusterDefinitionBody): Hex {
  return taggedHash(DEFINITION_VERSION, definitionBody(body));
}

const domainOf = (chainId: number) => ({ name: EIP712_DOMAIN_NAME, version: EIP712_DOMAIN_VERSION, chainId });

/** The EIP-712 digest an operator signs to approve a definition. */
export function definitionSigningDigest(chainId: number, hash: Hex): Uint8Array {
  return fromHex(
    hashTypedData({
      domain: domainOf(chainId),
      types: { ClusterDefinition: [{ name: 'definitionHash', type: 'bytes32' }] },
      primaryType: 'ClusterDefinition',
      message: { definitionHash: hash },
    }),
  );
}

/** The EIP-712 digest an operator signs to approve a lock. */
export function lockSigningDigest(chainId: number, hash: Hex): Uint8Array {
  return fromHex(
    hashTypedData({
      domain: domainOf(chainId),
      types: { ClusterLock: [{ name: 'lockHash', type: 'bytes32' }] },
      primaryType: 'ClusterLock',
      message: { lockHash: hash },
    }),
  );
}

/** Adds `identity`'s signature in its slot (it must be one of the operators); returns a new definition. */
export function signDefinition(def: ClusterDefinition, identity: OperatorIdentity): ClusterDefinition {
  const checked = parseDefinition(def);
  const k = operatorIndexOf(checked, identity.address);
  const signatures = [...checked.signatures];
  signatures[k] = toHex(identity.signDigest(definitionSigningDigest(checked.network.chainId, checked.definitionHash)));
  return { ...checked, signatures };
}

/** Index of the operator with this address; throws if it is not in the cluster. */
export function operatorIndexOf(def: ClusterDefinitionBody, addr: Hex): number {
  const k = def.operators.findIndex((o) => o.address === addr.toLowerCase());
  if (k < 0) throw new ClusterFileError('operators', `address ${addr} is not an operator of cluster ${JSON.stringify(def.name)}`);
  return k;
}

function checkBody(body: ClusterDefinitionBody, prefix = ''): void {
  const f = (s: string) => (prefix === '' ? s : `${prefix}.${s}`);
  const n = body.operators.length;
  if (!CLUSTER_SIZES.includes(n)) throw new ClusterFileError(f('operators'), `a cluster has ${CLUSTER_SIZES.join(', ')} operators, got ${n}`);
  const t = clusterThreshold(n);
  if (body.threshold !== t) throw new ClusterFileError(f('threshold'), `must be ceil(2n/3) = ${t} for n = ${n}, got ${body.threshold}`);
  const wc = body.withdrawalCredentials;
  if (!/^0x0[12]/.test(wc) || wc.slice(4, 26) !== '00'.repeat(11)) {
    throw new ClusterFileError(f('withdrawalCredentials'), `must be 0x01 or 0x02 ‖ 11 zero bytes ‖ withdrawal address, got ${wc}`);
  }
  const seen = { operatorId: new Set<number>(), address: new Set<string>(), peerId: new Set<string>() };
  body.operators.forEach((o, k) => {
    for (const key of ['operatorId', 'address', 'peerId'] as const) {
      const set = seen[key] as Set<number | string>;
      if (set.has(o[key])) throw new ClusterFileError(f(`operators[${k}].${key}`), `duplicate ${key} ${o[key]}`);
      set.add(o[key]);
    }
    let derived: Hex;
    try {
      derived = addressOfPeerId(o.peerId);
    } catch (e) {
      throw new ClusterFileError(f(`operators[${k}].peerId`), (e as Error).message);
    }
    if (derived !== o.address) {
      throw new ClusterFileError(f(`operators[${k}].peerId`), `peer id ${o.peerId} belongs to key ${derived}, not to the operator address ${o.address}`);
    }
  });
}

/** Parses (zod) and checks everything except signatures. */
export function parseDefinition(json: unknown, prefix = ''): ClusterDefinition {
  const r = ClusterDefinitionSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new ClusterFileError(fieldPath(i.path, prefix), i.message);
  }
  const def = r.data as ClusterDefinition;
  checkBody(def, prefix);
  const f = (s: string) => (prefix === '' ? s : `${prefix}.${s}`);
  const expected = definitionHash(def);
  if (def.definitionHash !== expected) throw new ClusterFileError(f('definitionHash'), `is ${def.definitionHash}, the definition hashes to ${expected}`);
  if (def.signatures.length !== def.operators.length) {
    throw new ClusterFileError(f('signatures'), `needs one entry per operator (${def.operators.length}), got ${def.signatures.length}`);
  }
  return def;
}

/**
 * Verifies a definition. With `requireAllSignatures` (default) every operator must have signed; otherwise
 * unsigned slots ("0x") are allowed but present signatures must still verify. Returns the parsed definition.
 */
export function verifyDefinition(json: unknown, options: { requireAllSignatures?: boolean; prefix?: string } = {}): ClusterDefinition {
  const prefix = options.prefix ?? '';
  const def = parseDefinition(json, prefix);
  const f = (s: string) => (prefix === '' ? s : `${prefix}.${s}`);
  const verifier = new Secp256k1Verifier(def.operators.map((o) => o.address));
  const digest = definitionSigningDigest(def.network.chainId, def.definitionHash);
  def.signatures.forEach((sig, k) => {
    if (sig === UNSIGNED) {
      if (options.requireAllSignatures ?? true) throw new ClusterFileError(f(`signatures[${k}]`), `operator ${def.operators[k]!.address} has not signed the definition`);
      return;
    }
    if (!verifier.verify(k, digest, fromHex(sig))) {
      throw new ClusterFileError(f(`signatures[${k}]`), `is not operator ${def.operators[k]!.address}'s signature of definition ${def.definitionHash}`);
    }
  });
  return def;
}
