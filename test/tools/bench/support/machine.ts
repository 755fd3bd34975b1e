import { cpus, loadavg, totalmem } from 'node:os';

/** What the figures were measured on; printed at the top of the report. */
export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  /** 1-minute load average when the bench started and when it ended: the machine is shared. */
  loadAverageStart: number;
  loadAverageEnd?: number;
  startedAt: string;
  finishedAt?: string;
}

export function describeMachine(): MachineInfo {
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageStart: loadavg()[0]!,
    startedAt: new Date().toISOString(),
  };
}

export function finishMachine(info: MachineInfo): MachineInfo {
  return { ...info, loadAverageEnd: loadavg()[0]!, finishedAt: new Date().toISOString() };
}
