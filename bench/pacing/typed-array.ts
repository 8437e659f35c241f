type TypedArray = Int8Array | Int32Array | Float64Array;

/** A copy of `a` with room for `length` elements (the new ones 0): how the simulator's tables grow. */
export function grown<T extends TypedArray>(a: T, length: number): T {
  const b = new (a.constructor as new (length: number) => T)(length);
  b.set(a);
  return b;
}
