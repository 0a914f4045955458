// The build network of a Swarm runtime and the store service on it. Swarm refuses `--network
// none`, so builds get an internal overlay instead: no gateway, no default route, no way out of
// the overlay; its only other member is the store service, a relay from the overlay's TCP to the
// coordinator's store socket (swarm-store.ts), pinned to the coordinator's node where that socket
// is. The relay is a few lines of Perl because every Debian image holds perl-base: no image of
// its own to build, pull or trust.
import type Docker from 'dockerode';
import { STORE_PORT } from './swarm-task-script.js';

/** Where the store's socket folder is mounted in the relay. */
const STORE_MOUNT = '/run/stubforge-store';

/** Accept, then copy both ways between the client and a fresh connection to the store socket. */
const RELAY = String.raw`
use strict; use IO::Socket::INET; use IO::Socket::UNIX; use IO::Select;
$SIG{CHLD} = 'IGNORE';
my $listen = IO::Socket::INET->new(LocalPort => ${STORE_PORT}, Listen => 64, ReuseAddr => 1) or die "listen: $!";
while (1) {
  my $client = $listen->accept or next;
  if (fork() == 0) {
    my $store = IO::Socket::UNIX->new(Peer => '${STORE_MOUNT}/store.sock') or exit 1;
    my $sel = IO::Select->new($client, $store);
    while (my @ready = $sel->can_read) {
      for my $from (@ready) {
        my $to = $from == $client ? $store : $client;
        my $n = sysread($from, my $buf, 65536);
        if (!$n) {
          exit 0 if $from == $store;
          $sel->remove($client); shutdown($store, 1); next;
        }
        my $off = 0;
        while ($off < $n) { my $w = syswrite($to, $buf, $n - $off, $off); exit 1 unless defined $w; $off += $w; }
      }
    }
    exit 0;
  }
  close $client;
}
`;

export interface BuildNetworkInput {
  readonly network: string;
  readonly storeService: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Folder of the store socket, on the coordinator's node. */
  readonly storeDir: string;
  /** Any image of the run (a Debian one: it has perl). */
  readonly image: string;
  /** The coordinator's Swarm node: where the socket folder is. */
  readonly nodeId: string;
  readonly user: string;
}

/** Creates the internal overlay; answers its id. */
export async function createBuildNetwork(docker: Docker, input: BuildNetworkInput): Promise<string> {
  const network = await docker.createNetwork({
    Name: input.network, Driver: 'overlay', Internal: true, Attachable: false, CheckDuplicate: true, Labels: { ...input.labels },
  });
  return network.id;
}

/** The relay service: one replica, restarted if it dies, on the coordinator's node. */
export function storeServiceSpec(input: BuildNetworkInput): Record<string, unknown> {
  return {
    Name: input.storeService,
    Labels: { ...input.labels },
    TaskTemplate: {
      ContainerSpec: {
        Image: input.image,
        Command: ['perl', '-e', RELAY],
        User: input.user,
        Labels: { ...input.labels },
        Mounts: [{ Type: 'bind', Source: input.storeDir, Target: STORE_MOUNT, ReadOnly: true }],
        Init: true,
        CapabilityDrop: ['ALL'],
      },
      Resources: { Limits: { MemoryBytes: 128 * 1024 ** 2, Pids: 256 } },
      RestartPolicy: { Condition: 'on-failure', Delay: 1_000_000_000 },
      Placement: { Constraints: [`node.id==${input.nodeId}`] },
      Networks: [{ Target: input.network, Aliases: [input.storeService] }],
    },
    Mode: { Replicated: { Replicas: 1 } },
    EndpointSpec: { Mode: 'dnsrr' },
  };
}
