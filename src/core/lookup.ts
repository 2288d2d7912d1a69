/**
 * Map lookups whose key the caller's own construction guarantees (an index
 * built from the same list, a key taken from the map itself). A miss is our
 * bug, not the user's, so it is a plain Error naming the table and the key.
 */
export function mustGet<K, V>(map: ReadonlyMap<K, V>, key: K, table: string): V {
  const v = map.get(key);
  if (v === undefined) throw new Error(`${table} has no entry for ${String(key)}`);
  return v;
}

/**
 * A map's entries ordered by key in UTF-16 code-unit order, the order of
 * `[...map.keys()].sort()`; not localeCompare, so artifacts that depend on the
 * order do not depend on the machine's locale.
 */
export function entriesByKey<V>(map: ReadonlyMap<string, V>): [string, V][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The entry for `key`, made by `make` and stored on first use (memo tables keyed by id or object). */
export function getOrCreate<K, V>(map: { get(key: K): V | undefined; set(key: K, value: V): unknown }, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}
