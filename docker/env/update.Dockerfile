# Refresh of an environment: the suite's newest packages (point releases, security updates) in a
# new layer, giving a new image ID and so new cache keys (src/runtime/environments.ts:
# updateEnvironment; ARGs from env-spec.ts updateLayerArgs). Built without the layer cache.
ARG BASE
FROM ${BASE}

RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get -y upgrade; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/*
