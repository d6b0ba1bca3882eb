import { createRequire } from 'node:module';
import type * as Commander from 'commander';

/*
 * commander, loaded with require: it is CommonJS, and importing it through the ES module loader
 * (which parses it again for its export names, then wraps it) costs every command's start-up
 * a few milliseconds more. The same module instance either way.
 */
const commander = createRequire(import.meta.url)('commander') as typeof Commander;

export const Command = commander.Command;
export type Command = Commander.Command;
export const CommanderError = commander.CommanderError;
export type CommanderError = Commander.CommanderError;
