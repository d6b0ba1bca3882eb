import { describe, expect, it } from 'vitest';
import { thousands } from '../../src/util/format.js';

describe('thousands', () => {
  it("ranks are grouped by thousands as toLocaleString('en') groups them (without loading ICU's formatter)", () => {
    expect(thousands(0)).toBe('0');
    expect(thousands(999)).toBe('999');
    expect(thousands(1000)).toBe('1,000');
    expect(thousands(4999)).toBe('4,999');
    expect(thousands(1234567)).toBe('1,234,567');
    expect(thousands(-1234)).toBe('-1,234');
    // every magnitude and a spread of values against the locale's own formatting
    const values = [1, 12, 123, 1234, 12345, 123456, 1234567, 12345678, 987654321, Number.MAX_SAFE_INTEGER, -7, -70000];
    for (let n = 0; n < 200_000; n += 997) values.push(n);
    for (const n of values) expect(thousands(n)).toBe(n.toLocaleString('en'));
    // not an integer: the locale's formatting itself
    expect(thousands(1234.5678)).toBe((1234.5678).toLocaleString('en'));
  });
});
