// The processes that launched this one (`npm start` runs npm, a shell, then tsx): a SIGTERM to npm
// ends only its shell, and a SIGHUP to npm or tsx is relayed by neither, so the runtime would keep
// serving with nobody left to stop it. It watches them instead and stops when one is gone.
import { readFileSync } from 'node:fs';

interface ProcessStat {
  state: string;
  ppid: number;
  pgrp: number;
  startTime: string;
}

/** /proc/<pid>/stat; the command name in parentheses may itself hold spaces and parentheses. */
function readStat(pid: number | 'self'): ProcessStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, ppid: Number(fields[1]), pgrp: Number(fields[2]), startTime: fields[19]! };
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A zombie has exited; another start time is another process under a reused pid. */
function sameProcess(pid: number, startTime: string): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.startTime === startTime;
}

/**
 * The ancestors in this process's group, nearest first, each with a test of whether it still runs:
 * what `npm start` or `npx tsx` started (a terminal's shell and an IDE give the command a group of
 * its own). Without /proc (macOS), only the parent.
 */
function launchers(): Array<{ pid: number; running: () => boolean }> {
  const self = readStat('self');
  if (!self) return [{ pid: process.ppid, running: () => alive(process.ppid) }];
  const chain: Array<{ pid: number; running: () => boolean }> = [];
  for (let pid = self.ppid, stat = readStat(pid); stat && stat.pgrp === self.pgrp && pid > 1;) {
    const { startTime } = stat;
    const launcher = pid;
    chain.push({ pid, running: () => sameProcess(launcher, startTime) });
    pid = stat.ppid;
    stat = readStat(pid);
  }
  // The parent is watched even outside the group: without it this process would be left to init.
  if (chain.length === 0) chain.push({ pid: self.ppid, running: () => readStat('self')?.ppid === self.ppid });
  return chain;
}

/** Calls `gone` once when a launcher exits. */
export function watchLaunchers(gone: (reason: string) => void, intervalMs = 250): void {
  const chain = launchers();
  const timer = setInterval(() => {
    const ended = chain.find((launcher) => !launcher.running());
    if (!ended) return;
    clearInterval(timer);
    gone(`the process that started this one (pid ${ended.pid}) is gone`);
  }, intervalMs);
  timer.unref();
}
