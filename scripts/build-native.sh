#!/usr/bin/env bash
# Builds the OpenBLAS/LAPACKE addon into native/linalg/build/Release/linalg.node.
# Never fails the build: without a compiler, headers or OpenBLAS the portable
# TypeScript path in src/linalg takes over, so we explain and exit 0.
set -u
cd "$(dirname "$0")/.."
out=native/linalg/build/Release/linalg.node
log="${TMPDIR:-/tmp}/brainalign-build-native.log"
: >"$log"
say() { echo "build-native: $*" >&2; }

if ! command -v cc >/dev/null 2>&1; then say "no C compiler; using the portable linalg path"; exit 0; fi
if [ ! -f /usr/include/lapacke.h ]; then say "lapacke.h missing (apt-get install liblapacke-dev libopenblas-dev); using the portable linalg path"; exit 0; fi

gyp=""
if [ -f node_modules/node-gyp/bin/node-gyp.js ]; then gyp=node_modules/node-gyp/bin/node-gyp.js
else
  npm_root="$(npm prefix -g 2>/dev/null)/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
  [ -f "$npm_root" ] && gyp="$npm_root"
fi

# Local node headers (Debian's nodejs ships them) avoid node-gyp's download step, which cannot reach the network here.
nodedir_arg=""
nodeprefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
if [ -f "$nodeprefix/include/node/node_api.h" ]; then nodedir_arg="--nodedir=$nodeprefix"; fi

if [ -n "$gyp" ]; then
  if node "$gyp" rebuild -C native/linalg $nodedir_arg >"$log" 2>&1; then
    say "built $out (node-gyp)"; exit 0
  fi
  say "node-gyp failed (see $log); trying a direct cc build"
fi

# Fallback without node-gyp: an N-API addon is a plain shared object.
inc="$nodeprefix/include/node"
mkdir -p native/linalg/build/Release
if cc -O3 -std=c11 -fno-math-errno -fPIC -shared -I"$inc" -I/usr/include/x86_64-linux-gnu/openblas-pthread \
     -DNODE_GYP_MODULE_NAME=linalg native/linalg/linalg.c native/linalg/nn.c native/linalg/nn_batchnorm.c -o "$out" -lopenblas -llapacke -lm 2>>"$log"; then
  say "built $out (cc)"; exit 0
fi
say "could not build the addon (see $log); using the portable linalg path"
exit 0
