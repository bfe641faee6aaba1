/** A definition or lock that fails a check; `field` is the JSON path of the offending value (e.g. `validators[3].pubkey`). */
export class ClusterFileError extends Error {
  override name = 'ClusterFileError';
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/** Formats a zod issue path as `a.b[2].c`. */
export function fieldPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out === '' ? '(root)' : out;
}
