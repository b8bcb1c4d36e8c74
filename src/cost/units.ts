/** Bytes in a GiB: Kubernetes memory quantities and OpenCost's byte-hours are in bytes, prices per GiB. */
export const GIB = 1024 ** 3;

export function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
