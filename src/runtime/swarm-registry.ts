// Build images reach other Swarm nodes through a registry, by digest. An image stays named by its
// local ID in every cache key; the first step that uses it tags it `<registry>/stubforge/<name>`,
// pushes it, and from then on services name it `<registry>/stubforge/<name>@sha256:<manifest>`,
// so every node runs exactly the bytes the coordinator has, whatever tag moves later.
import type Docker from 'dockerode';

export interface PushedImage {
  /** `<registry>/<repository>@sha256:<manifest digest>`. */
  readonly ref: string;
}

interface PushEvent { readonly status?: string; readonly error?: string; readonly aux?: { readonly Digest?: string } }

/** The repository an image is pushed to: one per image, named after its local ID. */
export function registryRepository(registry: string, imageId: string): string {
  return `${registry}/stubforge/image-${imageId.replace(/^sha256:/, '').slice(0, 16)}`;
}

/** Tags and pushes a local image; answers its reference by manifest digest. */
export async function pushByDigest(docker: Docker, registry: string, imageId: string): Promise<PushedImage> {
  const repo = registryRepository(registry, imageId);
  await docker.getImage(imageId).tag({ repo, tag: 'latest' });
  // The engine wants an auth header even for a registry without authentication: an empty one.
  const stream = await docker.getImage(`${repo}:latest`).push({ authconfig: { serveraddress: registry } } as Parameters<Docker.Image['push']>[0]);
  const events = await new Promise<PushEvent[]>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, all: PushEvent[]) => {
      if (error === null) resolve(all);
      else reject(error);
    });
  });
  const failure = events.find((e) => e.error !== undefined);
  if (failure !== undefined) throw new Error(`pushing ${repo}: ${failure.error ?? ''}`);
  const digest = events.map((e) => e.aux?.Digest).find((d) => d !== undefined && /^sha256:[0-9a-f]{64}$/.test(d));
  if (digest === undefined) throw new Error(`pushing ${repo}: the registry reported no digest`);
  // The registry tag served the push only: it goes again unless it is the image's one name.
  const tags = ((await docker.getImage(imageId).inspect()) as { RepoTags?: string[] }).RepoTags ?? [];
  if (tags.length > 1) await docker.getImage(`${repo}:latest`).remove({ noprune: true });
  return { ref: `${repo}@${digest}` };
}
