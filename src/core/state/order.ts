// The one order of package lists in state files and driver results: by name, then architecture.
export function byNameThenArch<T extends { name: string; arch?: string }>(a: T, b: T): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  const x = a.arch ?? '';
  const y = b.arch ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}
