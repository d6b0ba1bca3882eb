/**
 * The standard normal CDF by composite Simpson integration of the density: an independent
 * reference for the tests of src/similarity/gaussian.ts's normalCdf (which uses an erf formula).
 */
export function phi(z: number): number {
  const steps = 4000;
  const h = z / steps;
  const f = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  let s = f(0) + f(z);
  for (let k = 1; k < steps; k++) s += (k % 2 ? 4 : 2) * f(k * h);
  return 0.5 + (s * h) / 3;
}
