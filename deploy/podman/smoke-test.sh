#!/usr/bin/env bash
# Runs the built image where `podman run` cannot (on this machine crun's setrlimit is refused: no
# CAP_SYS_RESOURCE): the image's files mounted, chrooted as the image's user with the image's environment
# and entrypoint, on the host's network. It starts `start --role api` on a PostgreSQL database, runs the
# image's HEALTHCHECK command until it passes, stops the API with SIGTERM and checks it exits 0.
#   deploy/podman/smoke-test.sh postgres://postgres@127.0.0.1:5432/DB [PORT]
set -euo pipefail
IMAGE=${IMAGE:-localhost/enigmapool:latest}
db=$1
port=${2:-18080}
fmt() { podman image inspect "$IMAGE" --format "$1"; }
mnt=$(podman image mount "$IMAGE")
trap 'podman image unmount "$IMAGE" >/dev/null' EXIT
user=$(fmt '{{.Config.User}}')
env=$(fmt '{{range .Config.Env}}{{.}} {{end}}')
entrypoint=$(fmt '{{range .Config.Entrypoint}}{{.}} {{end}}')
health=$(fmt '{{range $i, $a := .Config.Healthcheck.Test}}{{if $i}}{{$a}} {{end}}{{end}}')
echo "image $IMAGE: user $user, entrypoint $entrypoint, healthcheck $health"

# A private mount namespace: /proc, /dev and writable /tmp and data dir for the chroot, gone afterwards.
unshare -m --fork bash -euo pipefail -c '
  mnt=$1 user=$2 env=$3 entrypoint=$4 health=$5 db=$6 port=$7
  mount -t proc proc "$mnt/proc"
  mount --bind /dev "$mnt/dev"
  mount -t tmpfs tmpfs "$mnt/tmp"
  mount -t tmpfs -o mode=0777 tmpfs "$mnt/var/lib/enigmapool"
  run() { chroot --userspec="$user:$user" "$mnt" /usr/bin/env -i $env ENIGMAPOOL_API__PORT="$port" "$@"; }
  # exec: the background job is the pool process itself, so the SIGTERM below reaches it.
  run_bg() { exec chroot --userspec="$user:$user" "$mnt" /usr/bin/env -i $env ENIGMAPOOL_API__PORT="$port" "$@"; }
  # The role api never calls the nodes, but start wants a nodes: list, as in deploy/pool.example.yaml.
  run_bg ENIGMAPOOL_NODES__0__NAME=main ENIGMAPOOL_NODES__0__URL=http://127.0.0.1:9053 \
    sh -c "cd /opt/enigmapool && exec $entrypoint start --role api --database $db" &
  pid=$!
  for i in $(seq 1 60); do
    if run sh -c "cd /opt/enigmapool && exec $health" 2>/dev/null; then echo "healthcheck passed after ${i} s"; break; fi
    [ "$i" = 60 ] && { echo "healthcheck never passed"; kill "$pid"; exit 1; }
    sleep 1
  done
  kill -TERM "$pid"
  wait "$pid" && echo "api stopped cleanly (exit 0)"
' smoke "$mnt" "$user" "$env" "$entrypoint" "$health" "$db" "$port"
