// Small helpers over decoded JSON values shared by the patch engines.

export type JsonObject = Record<string, unknown>;

export const isPlainObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const hasOwn = (o: JsonObject, key: string): boolean => Object.hasOwn(o, key);

/** Assigns an own property even for the key `__proto__`, which plain assignment would take as the prototype. */
export function setOwn(target: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
