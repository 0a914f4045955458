// Shared by the Swarm tests: the shared engine made a single-node Swarm manager (advertised on
// loopback only) when it is not one yet, and left again at the end only by the test that made it
// one. Local containers keep working on a manager, so the other tests on the engine are not
// disturbed.
import Docker from 'dockerode';

const docker = new Docker({ socketPath: '/var/run/docker.sock' });

export interface SwarmState {
  /** True when this test turned the engine into a manager (and so must leave at the end). */
  readonly initialisedHere: boolean;
  readonly nodeId: string;
}

async function swarmInfo(): Promise<{ state: string; nodeId: string; control: boolean }> {
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string; NodeID?: string; ControlAvailable?: boolean } };
  return { state: info.Swarm?.LocalNodeState ?? 'inactive', nodeId: info.Swarm?.NodeID ?? '', control: info.Swarm?.ControlAvailable === true };
}

export async function ensureSwarmManager(): Promise<SwarmState> {
  const before = await swarmInfo();
  if (before.state === 'active') {
    if (!before.control) throw new Error('the engine is a Swarm worker, not a manager: the Swarm tests need a manager');
    return { initialisedHere: false, nodeId: before.nodeId };
  }
  await docker.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1', DataPathAddr: '127.0.0.1' });
  const after = await swarmInfo();
  return { initialisedHere: true, nodeId: after.nodeId };
}

export async function leaveSwarmIfOurs(state: SwarmState | undefined): Promise<void> {
  if (state?.initialisedHere !== true) return;
  await docker.swarmLeave({ force: true });
}

/** Services of a run (by label), to check that nothing stays behind. */
export async function servicesOfRun(run: string): Promise<string[]> {
  const services = await docker.listServices({ filters: { label: [`org.stubforge.run=${run}`] } });
  return services.map((s) => s.ID ?? '');
}

export { docker as swarmEngine };
