#!/usr/bin/env bash
# Builds the Dockerfile with podman where there is no Docker engine and no Docker Hub: the base image is
# made here, Debian bookworm by debootstrap plus this machine's Node.js (Debian's nodejs is 18, the pool
# needs 20), laid out like the official node image (/usr/local/bin/node, npm, headers in
# /usr/local/include/node). Needs root, debootstrap, podman and access to deb.debian.org and npm's registry.
#   deploy/podman/build-image.sh            → localhost/enigmapool:latest
set -euo pipefail
cd "$(dirname "$0")/../.."
BASE=${BASE:-localhost/enigmapool-node-base:bookworm}
IMAGE=${IMAGE:-localhost/enigmapool:latest}

if ! podman image exists "$BASE"; then
  root=$(mktemp -d /var/tmp/enigmapool-base.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian
  node=$(readlink -f "$(command -v node)")
  prefix=$(dirname "$(dirname "$node")")
  install -D -m 0755 "$node" "$root/usr/local/bin/node"
  mkdir -p "$root/usr/local/lib/node_modules" "$root/usr/local/include"
  cp -a "$prefix/lib/node_modules/npm" "$root/usr/local/lib/node_modules/"
  cp -a "$prefix/include/node" "$root/usr/local/include/"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
  tar -C "$root" -c . | podman import --change 'CMD ["node"]' - "$BASE"
fi
# Where this machine reaches npm's registry through a TLS-intercepting proxy, the build trusts the same CAs.
ca=()
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  ca=(--volume "$NODE_EXTRA_CA_CERTS:/run/build-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/build-ca.crt)
fi
# --format docker: the OCI format has no HEALTHCHECK.
podman build --isolation=chroot --format docker "${ca[@]}" --build-arg NODE_IMAGE="$BASE" -t "$IMAGE" -f Dockerfile .
podman image ls "$IMAGE"
