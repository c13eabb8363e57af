import { readdirSync, readFileSync } from 'node:fs';

/**
 * Where the machine's CPU went during a measured run, from /proc: the server's process tree
 * (for Portcullis, the Node process and DynamoDB Local's JVM), the load generator, and
 * everything else. "Everything else" flags a noisy run: this machine is shared, and two cores
 * leave no room for a stray test suite.
 */
export interface CpuShares {
  /** CPU used in the window, in % of one core, per label. */
  readonly byLabel: Record<string, number>;
  /** Whole-machine busy time in % of one core, and the number of cores. */
  readonly machineBusy: number;
  /** vCPU time taken by the hypervisor for others (steal), % of one core: a noisy host. */
  readonly steal: number;
  readonly cores: number;
}

interface Proc {
  readonly ppid: number;
  readonly ticks: number;
  readonly comm: string;
  /** Per thread name (Node: `MainThread`, `libuv-worker`, `V8 Worker`…), for Node processes. */
  readonly threads: Record<string, number>;
}

function statFields(stat: string): { comm: string; fields: string[] } {
  const close = stat.lastIndexOf(')');
  return { comm: stat.slice(stat.indexOf('(') + 1, close), fields: stat.slice(close + 2).split(' ') };
}

/** After "pid (comm) ": state ppid … utime (14th field overall) stime (15th). */
const ticksOf = (fields: string[]) => Number(fields[11]) + Number(fields[12]);

function threadsOf(pid: string): Record<string, number> {
  const threads: Record<string, number> = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const { comm, fields } = statFields(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
      threads[comm] = (threads[comm] ?? 0) + ticksOf(fields);
    } catch {
      // thread gone
    }
  }
  return threads;
}

const ticksPerSecond = 100; // USER_HZ on Linux

function processes(): Map<number, Proc> {
  const out = new Map<number, Proc>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const { comm, fields } = statFields(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      const isNode = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0]!.endsWith('node');
      out.set(Number(entry), { ppid: Number(fields[1]), ticks: ticksOf(fields), comm, threads: isNode ? threadsOf(entry) : {} });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function machineTicks(): { busy: number; steal: number; cores: number } {
  const lines = readFileSync('/proc/stat', 'utf8').split('\n');
  const [, ...t] = lines[0]!.trim().split(/\s+/).map(Number);
  const idle = (t[3] ?? 0) + (t[4] ?? 0);
  const steal = t[7] ?? 0;
  // Busy as this VM sees it; `steal` is time the hypervisor gave our vCPUs to someone else.
  const total = t.slice(0, 7).reduce((a, b) => a + b, 0);
  return { busy: total - idle, steal, cores: lines.filter((l) => /^cpu\d+ /.test(l)).length };
}

function treeOf(root: number, procs: Map<number, Proc>): Set<number> {
  const tree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of procs) if (!tree.has(pid) && tree.has(p.ppid)) (tree.add(pid), (grew = true));
  }
  return tree;
}

/** Starts a window; the returned function ends it. `roots` label process trees by their root pid. */
export function cpuWindow(): (roots: Record<string, number | undefined>) => CpuShares {
  const start = Date.now();
  const before = processes();
  const machineBefore = machineTicks();
  return (roots) => {
    const after = processes();
    const machineAfter = machineTicks();
    const seconds = (Date.now() - start) / 1000;
    const pct = (ticks: number) => Math.round((ticks / ticksPerSecond / seconds) * 1000) / 10;
    const byLabel: Record<string, number> = {};
    for (const [label, root] of Object.entries(roots)) {
      if (root === undefined) continue;
      // Per command in the tree (Portcullis: Node and DynamoDB Local's `java`, all threads
      // summed), and for Node per thread: the JavaScript thread (`MainThread`) is the one
      // that can saturate; RSA signatures run on `libuv-worker` threads.
      const ticks: Record<string, number> = {};
      for (const pid of treeOf(root, after)) {
        const p = after.get(pid);
        if (!p) continue;
        const was = before.get(pid);
        if (Object.keys(p.threads).length === 0) ticks[p.comm] = (ticks[p.comm] ?? 0) + p.ticks - (was?.ticks ?? 0);
        for (const [thread, t] of Object.entries(p.threads)) ticks[`node ${thread}`] = (ticks[`node ${thread}`] ?? 0) + t - (was?.threads[thread] ?? 0);
      }
      for (const [comm, t] of Object.entries(ticks)) byLabel[`${label} ${comm}`] = pct(t);
    }
    const machineBusy = machineAfter.busy - machineBefore.busy;
    const ours = Object.values(byLabel).reduce((a, b) => a + b, 0);
    byLabel['everything else'] = Math.max(0, Math.round((pct(machineBusy) - ours) * 10) / 10);
    return { byLabel, machineBusy: pct(machineBusy), steal: pct(machineAfter.steal - machineBefore.steal), cores: machineAfter.cores };
  };
}

/**
 * Waits (bounded) until the rest of the machine is quiet: busy below `maxBusy` % of one core
 * over a one-second sample. Returns the last sample; the caller proceeds either way.
 */
export async function waitForQuiet(maxBusy = 25, timeoutMs = 30_000): Promise<{ busy: number; waitedMs: number }> {
  const start = Date.now();
  let busy = Infinity;
  while (Date.now() - start < timeoutMs) {
    const a = machineTicks();
    await new Promise((r) => setTimeout(r, 1000));
    busy = machineTicks().busy - a.busy; // ticks in one second = % of one core
    if (busy < maxBusy) break;
  }
  return { busy, waitedMs: Date.now() - start };
}
