/** Freezes a value and everything reachable from it (plain objects, arrays and Maps). */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  if (value instanceof Map) {
    for (const v of value.values()) deepFreeze(v);
    return freezeMap(value) as T;
  }
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
  return value;
}

/** Makes a Map read-only at run time: `set`, `delete` and `clear` throw. */
function freezeMap<K, V>(map: Map<K, V>): Map<K, V> {
  const refuse = (): never => {
    throw new TypeError('this map is read-only');
  };
  Object.defineProperties(map, { set: { value: refuse }, delete: { value: refuse }, clear: { value: refuse } });
  return Object.freeze(map);
}
