# Native tools a plan needs that its environment lacks, added in ONE layer on top of the
# environment (src/runtime/environments.ts: ensurePackages; ARGs from env-spec.ts
# packagesLayerArgs). BASE is the environment's image ID, so the result sits on exactly that image.
ARG BASE
FROM ${BASE}

ARG PACKAGES

RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${PACKAGES}; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/*
