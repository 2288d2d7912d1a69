#!/usr/bin/env bash
# Wall time of the voxel-wise encodings of a small study against the number
# of job slots of the local SLURM cluster (docs/scale-out.md, the table).
# The study and its features are built once, locally; each run then redoes
# only the encodings (SUBJECTS × ENCODE_CHUNKS chunk jobs and a merge per
# subject) with EXECUTOR=slurm, after restarting the cluster with that many
# slots. Prints one TSV row per run; also times the plain local make.
#   scripts/slurm/bench.sh [slots…]        (default: 1 2 4)
set -euo pipefail
cd "$(dirname "$0")/../.."
SLOTS=("${@:-1 2 4}"); read -r -a SLOTS <<<"${SLOTS[*]}"
CHUNKS="${CHUNKS:-4}"
MODEL="${MODEL:-logmel}"
SUBJECTS="${SUBJECTS:-01 02 03}"
WORK="${WORK:-$(mktemp -d /tmp/ba-scale-XXXX)}"
D="$WORK/d"
KEEP=(-o build -o .make/system-deps -o node_modules/.package-lock.json -o dist/cli.js)
targets() { for s in $SUBJECTS; do printf '%s ' "$D/stamps/align-encode-${MODEL}_sub-$s.json"; done; }
mk() { make --no-print-directory "${KEEP[@]}" STUDY="$WORK/study" D="$D" FMRI_SUBJECTS="$SUBJECTS" QUIET=--quiet "$@"; }
reset() { rm -rf "$D/stamps/align-encode-"* "$D/artifacts/encode" "$D/artifacts/encode-chunk" "$D"/sub-* "$D/.jobs"; }

mk "$D/stamps/align-features-$MODEL.json" >/dev/null
printf 'executor\tslots\tjobs\twall_s\tload1\n'
for j in 1 2; do
  reset; t0=$(date +%s.%N)
  mk -j"$j" $(targets) >/dev/null
  printf 'local make -j%s\t%s\t%s\t%.1f\t%s\n' "$j" "$j" 0 "$(echo "$(date +%s.%N) - $t0" | bc)" "$(cut -d' ' -f1 /proc/loadavg)"
done
for n in "${SLOTS[@]}"; do
  scripts/slurm/cluster.sh down 2>/dev/null
  BRAINALIGN_SLURM_SLOTS="$n" scripts/slurm/cluster.sh up 2>/dev/null
  eval "$(scripts/slurm/cluster.sh env)"
  reset; t0=$(date +%s.%N)
  mk -j"$((2 * n + 2))" EXECUTOR=slurm ENCODE_CHUNKS="$CHUNKS" $(targets) >/dev/null
  wall=$(echo "$(date +%s.%N) - $t0" | bc)
  printf 'slurm\t%s\t%s\t%.1f\t%s\n' "$n" "$(ls "$D/.jobs"/*.json | wc -l)" "$wall" "$(cut -d' ' -f1 /proc/loadavg)"
done
# Per-chunk cost: each chunk's own wall time (provenance) over its voxels and feature spaces.
node -e '
const fs = require("fs"), path = require("path");
const base = process.argv[1];
for (const k of fs.readdirSync(base).filter((k) => !k.startsWith("."))) {
  const p = JSON.parse(fs.readFileSync(path.join(base, k, "provenance.json"), "utf8"));
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? walk(path.join(d, e.name)) : e.name === "chunk.json" ? [path.join(d, e.name)] : []);
  const c = walk(path.join(base, k)).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
  const vox = c.reduce((s, x) => s + x.hi - x.lo, 0), spaces = c.reduce((s, x) => s + x.spaces.length, 0) / Math.max(1, c.length);
  console.log(`chunk\t${p.params.chunk.index + 1}/${p.params.chunk.count}\tvoxels ${vox}\tspaces ${spaces}\twall_s ${p.wallSeconds.toFixed(2)}`);
}' "$D/artifacts/encode-chunk"
echo "work folder: $WORK" >&2
