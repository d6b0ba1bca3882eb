import { afterEach, describe, expect, it } from 'vitest';
import { backendChoice } from '../../src/util/backend-choice.js';

const loads: string[] = [];
function choice() {
  loads.length = 0;
  return backendChoice({
    kind: 'test backend',
    env: 'YASR_TEST_BACKEND',
    names: ['fast', 'broken', 'slow'] as const,
    autoOrder: ['broken', 'fast', 'slow'] as const,
    load(name) {
      loads.push(name);
      if (name === 'broken') throw new Error('no library here\nsecond line');
      return { description: `${name} one` };
    },
  });
}

afterEach(() => {
  delete process.env.YASR_TEST_BACKEND;
});

describe('backendChoice', () => {
  it('auto takes the first of the order that loads; each backend is loaded once', () => {
    const c = choice();
    expect(c.choose().description).toBe('fast one');
    expect(c.choose('auto').description).toBe('fast one');
    expect(loads).toEqual(['broken', 'fast']);
    expect(c.status()).toEqual([
      { name: 'fast', loaded: true, description: 'fast one' },
      { name: 'broken', loaded: false, reason: 'no library here' },
      { name: 'slow', loaded: true, description: 'slow one' },
    ]);
    expect(loads).toEqual(['broken', 'fast', 'slow']);
  });

  it('a name, or the environment variable, picks one; a bad or unloadable one is one clear line', () => {
    const c = choice();
    expect(c.choose(' SLOW ').description).toBe('slow one');
    process.env.YASR_TEST_BACKEND = 'fast';
    expect(c.choose().description).toBe('fast one');
    process.env.YASR_TEST_BACKEND = 'quick';
    expect(() => c.choose()).toThrow(/YASR_TEST_BACKEND.*quick.*one of fast, broken, slow or auto/);
    expect(() => c.choose('broken')).toThrow('test backend "broken" does not load here: no library here');
  });

  it('when nothing in the order loads, says why for each', () => {
    const c = backendChoice({ kind: 'test backend', env: 'YASR_TEST_BACKEND', names: ['a'] as const, autoOrder: ['a'] as const, load: () => { throw new Error('gone'); } });
    expect(() => c.choose()).toThrow('no test backend loads: a: gone');
  });
});
