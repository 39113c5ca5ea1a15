/**
 * The process that started this one, recorded when the CLI's first module loads (index.ts
 * imports this first, before anything async): `soniox mock` stops when it is gone. Sampled any
 * later (after the server is up, as it was), a launcher that exited meanwhile was never seen.
 */
import fs from 'node:fs';

/** The parent's pid when the CLI started. */
export const PARENT_AT_START = process.ppid;

/**
 * Whether this process was already orphaned when it started: its parent is init (pid 1), yet it
 * is not the leader of its own process group, so it was not started as a service (systemd and
 * container inits start theirs as group leaders) but by a process that then exited at once, as
 * `sh -c 'soniox mock &'` does. Linux only (/proc); elsewhere only a change of parent counts.
 */
export function orphanedAtStart(
  parent: number = PARENT_AT_START,
  stat: () => string = () => fs.readFileSync('/proc/self/stat', 'utf8'),
): boolean {
  if (parent !== 1) return false;
  let text: string;
  try {
    text = stat();
  } catch {
    return false;
  }
  // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const pid = Number(text.slice(0, text.indexOf(' ')));
  const group = Number(fields[2]);
  return Number.isInteger(group) && group > 0 && group !== pid;
}
