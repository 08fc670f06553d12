// A machine described by the test: node agents report what it says, and tests change it.
import type { MachineInfo, MachineProbes, MachineUsage } from '../../../src/kubelet/node/machine.js';

const Gi = 1024 ** 3;

export class FakeMachine implements MachineProbes {
  info_: MachineInfo = {
    cpus: 4,
    memoryBytes: 8 * Gi,
    machineID: 'fake-machine-id',
    systemUUID: 'fake-system-uuid',
    bootID: 'fake-boot-id',
    kernelVersion: '6.1.0-test',
    osImage: 'Test Linux 1.0',
    operatingSystem: 'linux',
    architecture: 'arm64',
    internalIP: '192.0.2.10',
  };
  usage_: MachineUsage = {
    memoryAvailableBytes: 4 * Gi,
    fs: { capacityBytes: 100 * Gi, availableBytes: 60 * Gi, inodes: 1_000_000, inodesFree: 900_000 },
    pids: { max: 32768, running: 200 },
  };

  async info(): Promise<MachineInfo> {
    return { ...this.info_ };
  }

  async usage(): Promise<MachineUsage> {
    return structuredClone(this.usage_);
  }
}
