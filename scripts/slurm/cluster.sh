#!/usr/bin/env bash
# A real single-host SLURM cluster (munged + slurmctld + slurmd from Debian's
# packages) for the tests, CI and the scale-out measurements.
#
#   scripts/slurm/cluster.sh up       install what is missing, start, wait until the node is idle
#   scripts/slurm/cluster.sh down     stop the daemons this script started
#   scripts/slurm/cluster.sh status   say whether it runs; print the SLURM_CONF to export
#   scripts/slurm/cluster.sh env      print `export SLURM_CONF=…` for eval
#
# No systemd: the daemons run in the background with their state, logs, pid
# files, munge key and socket under one folder, so the cluster touches nothing
# system-wide and several checkouts can share it. Environment:
#   BRAINALIGN_SLURM_DIR    state folder (default ${TMPDIR:-/tmp}/brainalign-slurm)
#   BRAINALIGN_SLURM_SLOTS  CPUs the node offers, i.e. job slots of 1 CPU (default: the machine's)
#   BRAINALIGN_SLURM_PORT   slurmctld's port; slurmd uses the next one (default 6817)
# Changing the slots of a running cluster needs `down` then `up`.
set -euo pipefail

STATE="${BRAINALIGN_SLURM_DIR:-${TMPDIR:-/tmp}/brainalign-slurm}"
PORT="${BRAINALIGN_SLURM_PORT:-6817}"
CONF="$STATE/slurm.conf"
say() { printf 'slurm cluster: %s\n' "$*" >&2; }
die() { printf 'brainalign: scripts/slurm/cluster.sh: %s\n' "$*" >&2; exit 1; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

install_packages() {
  local need=()
  for c in munged slurmctld slurmd sbatch; do command -v "$c" >/dev/null || PATH="$PATH:/usr/sbin" command -v "$c" >/dev/null || need+=("$c"); done
  [ ${#need[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing ${need[*]}: install SLURM (slurmctld, slurmd) and munge"
  say "installing slurm-wlm munge"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq slurm-wlm munge >/dev/null
}

write_conf() {
  local host mem slots
  host="$(hostname -s)"
  slots="${BRAINALIGN_SLURM_SLOTS:-$(nproc)}"
  # Leave a quarter of the memory (at least 1 GiB) to the daemons and make.
  mem=$(awk '/^MemTotal/ { m = int($2 / 1024); r = m / 4; if (r < 1024) r = 1024; print int(m - r) }' /proc/meminfo)
  mkdir -p "$STATE/ctld" "$STATE/spool" "$STATE/munge"
  cat >"$CONF.tmp" <<CONF
# Written by scripts/slurm/cluster.sh: one node, localhost, no cgroups, no accounting.
ClusterName=brainalign
SlurmctldHost=$host(127.0.0.1)
SlurmUser=$(id -un)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$STATE/munge/munge.socket
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/slurmctld.log
SlurmdLogFile=$STATE/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
MpiDefault=none
ReturnToService=2
# The node may offer more slots than cores (the scale-out table runs 4 on 2).
SlurmdParameters=config_overrides
# Finished jobs stay visible to scontrol for 5 min: the executor reads their end state there.
MinJobAge=300
KillWait=5
# Jobs that name no --mem get 1 GiB per CPU, not the whole node.
DefMemPerCPU=1024
# Schedule a batch job the moment it is submitted or a slot frees (the default waits up to 3 s).
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=$slots RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  mv "$CONF.tmp" "$CONF"
}

start_munge() {
  pid_alive "$STATE/munge/munged.pid" && return 0
  if [ ! -s "$STATE/munge/munge.key" ]; then
    head -c 1024 /dev/urandom >"$STATE/munge/munge.key.tmp"
    chmod 600 "$STATE/munge/munge.key.tmp"
    mv "$STATE/munge/munge.key.tmp" "$STATE/munge/munge.key"
  fi
  chmod 700 "$STATE/munge"
  PATH="$PATH:/usr/sbin" munged --force --key-file="$STATE/munge/munge.key" --socket="$STATE/munge/munge.socket" \
    --pid-file="$STATE/munge/munged.pid" --log-file="$STATE/munge/munged.log" --seed-file="$STATE/munge/munged.seed" \
    || die "munged did not start (see $STATE/munge/munged.log)"
}

wait_idle() {
  local i state
  for i in $(seq 1 120); do
    state=$(SLURM_CONF="$CONF" sinfo -h -o '%t' 2>/dev/null | head -1 || true)
    case "$state" in idle|mix|alloc) return 0 ;; esac
    sleep 0.5
  done
  die "the node did not become idle within 60 s (sinfo: ${state:-no answer}); logs: $STATE/slurmctld.log $STATE/slurmd.log"
}

up() {
  install_packages
  if pid_alive "$STATE/slurmctld.pid" && pid_alive "$STATE/slurmd.pid" && pid_alive "$STATE/munge/munged.pid"; then
    wait_idle
    say "already up ($CONF)"
    return 0
  fi
  down_quiet
  write_conf
  start_munge
  export SLURM_CONF="$CONF"
  # -i: ignore a saved state from an earlier cluster in this folder (no stale jobs come back).
  PATH="$PATH:/usr/sbin" slurmctld -i -f "$CONF" || die "slurmctld did not start (see $STATE/slurmctld.log)"
  PATH="$PATH:/usr/sbin" slurmd -f "$CONF" -N "$(hostname -s)" || die "slurmd did not start (see $STATE/slurmd.log)"
  wait_idle
  say "up: $(sinfo -h -o '%n %c CPUs %m MB %t'); export SLURM_CONF=$CONF"
}

stop_pid() {
  local f="$1" i
  pid_alive "$f" || { rm -f "$f"; return 0; }
  kill "$(cat "$f")" 2>/dev/null || true
  for i in $(seq 1 50); do pid_alive "$f" || break; sleep 0.1; done
  pid_alive "$f" && kill -9 "$(cat "$f")" 2>/dev/null || true
  rm -f "$f"
}

down_quiet() {
  stop_pid "$STATE/slurmd.pid"
  stop_pid "$STATE/slurmctld.pid"
  stop_pid "$STATE/munge/munged.pid"
}

case "${1:-}" in
  up) up ;;
  down) down_quiet; say "down" ;;
  status)
    if pid_alive "$STATE/slurmctld.pid" && pid_alive "$STATE/slurmd.pid" && pid_alive "$STATE/munge/munged.pid"; then
      SLURM_CONF="$CONF" sinfo -h -o '%n %c CPUs %m MB %t'
      echo "export SLURM_CONF=$CONF"
    else
      echo "down"; exit 3
    fi ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *) echo "usage: $0 up|down|status|env" >&2; exit 2 ;;
esac
