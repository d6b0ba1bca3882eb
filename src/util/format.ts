/**
 * An integer with commas between thousands, as `n.toLocaleString('en')` writes it ("4,999"),
 * without it: the first toLocaleString of a process sets up ICU's number formatting, which costs
 * more (15-30 ms) than a whole stored-track recommendation, and help texts and reasons print
 * numbers at every start. Anything but a safe integer goes to toLocaleString.
 */
export function thousands(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString('en');
  const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+$)/g, ',');
  return n < 0 ? `-${digits}` : digits;
}
