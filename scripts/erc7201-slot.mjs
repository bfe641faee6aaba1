import { keccak256, toHex, encodeAbiParameters } from 'viem';
for (const ns of process.argv.slice(2)) {
  const h = BigInt(keccak256(toHex(ns))) - 1n;
  const e = BigInt(keccak256(encodeAbiParameters([{ type: 'uint256' }], [h]))) & ~0xffn;
  console.log(ns, '0x' + e.toString(16).padStart(64, '0'));
}
