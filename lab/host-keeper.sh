#!/usr/bin/env bash
# The lifetime of one lab host: started (detached) by `node lab/lab.mjs up|start`, one per host.
#
# It stays the parent of the host's `unshare` and waits for it, so the host's processes are
# reaped at once (docs/architecture.md, "What the lab relies on": orphans are reaped late on these machines). Each "boot":
#   network namespace + veth pair to the lab bridge (fixed MACs), a new boot id, then
#   unshare --mount --uts --pid --fork  ->  host-init.sh  ->  exec sshd (PID 1 of the host).
# When sshd ends: the network namespace is removed; if a reboot was asked for (the host's own
# `reboot`, or `lab.mjs reboot`), the host boots again, else the keeper ends (host down).
#
# Signals: TERM/INT = power off (sshd is signalled by PID: unshare --fork does not pass
# SIGTERM on). The host's settings come from $HOSTDIR/host.env, written by lab.mjs.
set -euo pipefail

HOSTDIR=${1:?usage: host-keeper.sh HOSTDIR}
# shellcheck source=/dev/null
source "$HOSTDIR/host.env"
LABSCRIPTS=$(cd "$(dirname "$0")" && pwd)

stopping=0
child=0

log() { printf '%s keeper[%s]: %s\n' "$(date -u +%H:%M:%S.%3N)" "$NAME" "$*"; }

sshd_pid() { cat "$HOSTDIR/sshd.pid" 2>/dev/null || true; }

power_off() {
  stopping=1
  local pid
  pid=$(sshd_pid)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
  elif [ "$child" -gt 0 ]; then
    # Not booted far enough to have an sshd (or sleeping before a delayed reboot): unshare
    # --kill-child takes the host's PID 1 along.
    kill -KILL "$child" 2>/dev/null || true
  fi
}
trap power_off TERM INT
trap '' HUP

net_down() {
  ip netns del "$NETNS" 2>/dev/null || true
  ip link del "$VETH_BR" 2>/dev/null || true
}

net_up() {
  net_down
  ip netns add "$NETNS"
  ip link add "$VETH_BR" address "$MAC_BR" type veth peer name "$VETH_HOST" address "$MAC_HOST" netns "$NETNS"
  ip link set "$VETH_BR" master "$BRIDGE" up
  ip -n "$NETNS" link set lo up
  ip -n "$NETNS" link set "$VETH_HOST" name eth0
  ip -n "$NETNS" addr add "$ADDRESS/$PREFIXLEN" dev eth0
  ip -n "$NETNS" link set eth0 up
}

echo $$ >"$HOSTDIR/keeper.pid"
while :; do
  rm -f "$HOSTDIR/sshd.pid" "$HOSTDIR/reboot-requested"
  net_up
  cat /proc/sys/kernel/random/uuid >"$HOSTDIR/boot_id"
  log "boot $(cat "$HOSTDIR/boot_id") at $ADDRESS"
  nsenter --net="/run/netns/$NETNS" -- \
    unshare --mount --uts --pid --fork --kill-child --propagation private -- \
    "$LABSCRIPTS/host-init.sh" "$HOSTDIR" &
  child=$!
  echo "$child" >"$HOSTDIR/unshare.pid"
  # `wait` returns early when a trapped signal arrives: keep waiting until unshare is gone.
  while :; do
    set +e
    wait "$child"
    rc=$?
    set -e
    if [ "$rc" -gt 128 ] && kill -0 "$child" 2>/dev/null; then continue; fi
    break
  done
  child=0
  rm -f "$HOSTDIR/sshd.pid" "$HOSTDIR/unshare.pid"
  net_down
  log "down (exit $rc)"
  [ "$stopping" = 0 ] || break
  # A reboot asked for from inside the host (its `reboot`) or from outside (lab.mjs reboot).
  if [ -e "$UPPER/var/lib/lab/reboot-requested" ] || [ -e "$HOSTDIR/reboot-requested" ]; then
    rm -f "$UPPER/var/lib/lab/reboot-requested" "$HOSTDIR/reboot-requested"
    mode=$(cat "$HOSTDIR/reboot-mode" 2>/dev/null || echo normal)
    case "$mode" in
      never)
        log "reboot requested; reboot-mode never: staying down"
        break
        ;;
      delay:*)
        log "reboot requested; coming back in ${mode#delay:} s"
        sleep "${mode#delay:}" &
        child=$!
        wait "$child" || true
        kill "$child" 2>/dev/null || true
        child=0
        [ "$stopping" = 0 ] || break
        ;;
      *) log "reboot requested" ;;
    esac
    continue
  fi
  break
done
rm -f "$HOSTDIR/keeper.pid"
log "keeper ends"
