// Joining the engine to a Swarm and asking it about the Swarm: what `stubforge cluster` does to
// the local engine, through dockerode like the rest of the runtime.
import Docker from 'dockerode';

export interface SwarmMembership {
  /** inactive, pending, active, error, locked. */
  readonly state: string;
  readonly nodeId: string;
  readonly manager: boolean;
  readonly address: string;
}

export interface JoinTokens {
  readonly worker: string;
  readonly manager: string;
}

function engine(socketPath: string): Docker {
  return new Docker({ socketPath, timeout: 30_000 });
}

export async function swarmMembership(socketPath: string): Promise<SwarmMembership> {
  const info = (await engine(socketPath).info()) as { Swarm?: { LocalNodeState?: string; NodeID?: string; ControlAvailable?: boolean; NodeAddr?: string } };
  return {
    state: info.Swarm?.LocalNodeState ?? 'inactive', nodeId: info.Swarm?.NodeID ?? '',
    manager: info.Swarm?.ControlAvailable === true, address: info.Swarm?.NodeAddr ?? '',
  };
}

/** Makes the engine the first manager of a new Swarm, advertised (and listening) on one address. */
export async function initSwarm(socketPath: string, advertiseAddress: string): Promise<void> {
  await engine(socketPath).swarmInit({ ListenAddr: `${advertiseAddress}:2377`, AdvertiseAddr: advertiseAddress, DataPathAddr: advertiseAddress });
}

export async function joinTokens(socketPath: string): Promise<JoinTokens> {
  const swarm = (await engine(socketPath).swarmInspect()) as { JoinTokens?: { Worker?: string; Manager?: string } };
  return { worker: swarm.JoinTokens?.Worker ?? '', manager: swarm.JoinTokens?.Manager ?? '' };
}

/** Joins the engine to a Swarm as the token says (worker or manager). */
export async function joinSwarm(socketPath: string, manager: string, token: string, advertiseAddress: string): Promise<void> {
  await engine(socketPath).swarmJoin({
    ListenAddr: `${advertiseAddress}:2377`, AdvertiseAddr: advertiseAddress, DataPathAddr: advertiseAddress, RemoteAddrs: [manager], JoinToken: token,
  });
}
