import { describe, expect, it } from 'vitest';
import { buildProgram, commandNamed, COMMANDS } from '../../src/cli/main.js';

describe('lazy command loading', () => {
  it("the table's name, usage and description are each module's own (so --help lists them unloaded)", async () => {
    const all = await buildProgram('all');
    const none = await buildProgram([]);
    const term = (p: typeof all) => p.commands.map((c) => [c.name(), c.usage(), c.description()]);
    expect(term(none)).toEqual(term(all));
    expect(all.commands.map((c) => c.name())).toEqual(COMMANDS.map((c) => c.name));
    expect(none.helpInformation()).toBe(all.helpInformation());
  }, 60_000);

  it('commandNamed finds the command after root options (and after help)', () => {
    const argv = (...a: string[]) => ['node', 'yasr', ...a];
    expect(commandNamed(argv('recommend', '12'))).toBe('recommend');
    expect(commandNamed(argv('--db', 'x.db', '-q', 'recommend', '--method', 'dtw'))).toBe('recommend');
    expect(commandNamed(argv('--db=x.db', '--ffmpeg', '/bin/ffmpeg', 'status'))).toBe('status');
    expect(commandNamed(argv('help', 'path'))).toBe('path');
    expect(commandNamed(argv('--help'))).toBeUndefined();
    expect(commandNamed(argv())).toBeUndefined();
  });
});
