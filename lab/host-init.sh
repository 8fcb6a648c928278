#!/usr/bin/env bash
# PID 1 of a lab host's new PID namespace (started by host-keeper.sh through
# `nsenter --net=… unshare --mount --uts --pid --fork`): mounts the host's file systems in
# its private mount namespace, then becomes the host's sshd with exec (same PID).
set -euo pipefail

HOSTDIR=${1:?usage: host-init.sh HOSTDIR}
# shellcheck source=/dev/null
source "$HOSTDIR/host.env"
ROOT=$HOSTDIR/root

# Our PID as the machine sees it (the first NSpid field; /proc here is still the machine's),
# which stays sshd's PID after the exec below: lab.mjs signals sshd by this PID.
outer=
while read -r key a _; do
  if [ "$key" = NSpid: ]; then
    outer=$a
    break
  fi
done </proc/self/status

# The host's root: its own upper layer over the shared base.
mount -t overlay overlay -o "lowerdir=$LOWER,upperdir=$UPPER,workdir=$WORK" "$ROOT"
mount -t proc -o nosuid,nodev,noexec proc "$ROOT/proc"
# /proc/sys/kernel/random/boot_id is the machine's in every namespace: give the host its own.
mount --bind -o ro "$HOSTDIR/boot_id" "$ROOT/proc/sys/kernel/random/boot_id"
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$ROOT/sys"
mount --rbind /dev "$ROOT/dev"
# A fresh /run on every boot (so /run/reboot-required is gone after a reboot).
# Note: var/run in the root is a symlink to the absolute /run; always use $ROOT/run.
mount -t tmpfs -o nosuid,nodev,mode=0755,size=64m tmpfs "$ROOT/run"
mkdir -p "$ROOT/run/sshd" "$ROOT/run/lock"
chmod 0755 "$ROOT/run/sshd"
mount --bind -o ro "$APT" "$ROOT$APT_MOUNT"
# RPM-family hosts (lab:up --mix): the local RPM repository, read-only.
if [ -n "${RPM:-}" ]; then mount --bind -o ro "$RPM" "$ROOT$RPM_MOUNT"; fi
hostname "$NAME"

# First boot: the host's identity, written through the overlay into its upper dir.
if [ ! -e "$HOSTDIR/provisioned" ]; then
  printf '%s\n' "$NAME" >"$ROOT/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$NAME" >"$ROOT/etc/hosts"
  tr -d '-' </proc/sys/kernel/random/uuid >"$ROOT/etc/machine-id"
  # The base holds no host keys: each host makes its own, in its own upper dir.
  rm -f "$ROOT"/etc/ssh/ssh_host_*
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin chroot "$ROOT" ssh-keygen -A >/dev/null
  install -d -m 0700 -o "$PATCHCTL_UID" -g "$PATCHCTL_UID" "$ROOT/home/patchctl/.ssh"
  install -m 0600 -o "$PATCHCTL_UID" -g "$PATCHCTL_UID" "$CLIENT_PUB" "$ROOT/home/patchctl/.ssh/authorized_keys"
  : >"$HOSTDIR/provisioned"
fi

echo "$outer" >"$HOSTDIR/sshd.pid"
# Absolute paths only: sshd re-executes itself after chdir / (docs/architecture.md, "What the lab relies on").
exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  chroot "$ROOT" /usr/sbin/sshd -D -e -E /var/log/sshd.log -f /etc/ssh/sshd_config
