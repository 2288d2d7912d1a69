# brainalign — aligning artificial auditory networks with the human brain.
#
#   make         install what is missing, build, and run the three studies on
#                the embedded mini-study (or on DATASET=… ROOT=…, see README)
#   make test    the test suite (ava), including conformance on other projects' files
#   make EXECUTOR=slurm   every stage as a SLURM job (docs/scale-out.md)
#
# Each study is a chain of stages in pipelines/*.mk. A stage's target is a
# completion stamp under $(D)/stamps/, written only after its artifact folder
# has been renamed into place, so `make -j2` runs independent stages in
# parallel and a re-run redoes only what changed.

SHELL        := /bin/bash
.SHELLFLAGS  := -eu -o pipefail -c
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:

NODE      ?= node
SEED      ?= 0
# The derivatives root (BIDS derivatives), and the input dataset: the
# mini-study generated here, or ROOT when DATASET names a manifest.
D         ?= derivatives/brainalign
SYNTH_CFG ?= pipelines/mini-study.json
STUDY     ?= derivatives/mini-study
ifneq ($(value DATASET),)
ifeq ($(value ROOT),)
$(error DATASET=… needs ROOT=/path/to/the/dataset)
endif
STUDY     := $(value ROOT)
# A dataset whose stimuli live elsewhere (ds003720 names GTZAN excerpts) is
# read through brainalign's view of it, built by `data prepare` (dataset.mk).
ifneq ($(value GTZAN),)
STUDY     := $(D)/input/$(basename $(notdir $(DATASET)))
endif
endif
# Recipes never paste a user's path into shell text: the values travel as
# environment variables and recipes quote them ("$$BA_STUDY"), so a ROOT with
# spaces, quotes, `;` or `$$(…)` is a path and nothing else. $(value …) keeps
# make from expanding a `$$(…)` inside them either.
export BA_STUDY   := $(value STUDY)
export BA_D       := $(value D)
export BA_DATASET := $(value DATASET)
export BA_ROOT    := $(value ROOT)
export BA_GTZAN   := $(value GTZAN)
export BA_NODE    := $(value NODE)
export BA_SEED    := $(value SEED)
export BA_QUIET    = $(value QUIET)
# EXEC runs a recipe elsewhere (EXECUTOR=slurm, pipelines/executor.mk); expanded per recipe, so it sees $@.
BA         = $(EXEC) "$$BA_NODE" dist/cli.js --seed "$$BA_SEED"
# QUIET=--quiet silences progress bars.
QUIET     ?=
STAMPS    := $(D)/stamps

# ---------------------------------------------------------------- setup --
# System packages: OpenBLAS/LAPACKE for the native linear-algebra path, the
# Debian python stack that the tests compare against, Chromium for the report
# test. Installed on Debian when missing; elsewhere see README.
DEBIAN_PKGS := libopenblas-dev liblapacke-dev python3-numpy python3-scipy python3-pandas python3-nibabel python3-mne python3-h5py chromium

.make/system-deps:
	@mkdir -p .make
	@if command -v dpkg-query >/dev/null && command -v apt-get >/dev/null; then \
	  missing=$$(for p in $(DEBIAN_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	  if [ -n "$$missing" ]; then \
	    echo "installing Debian packages: $$missing"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	  fi; \
	else \
	  echo "brainalign: not Debian: install OpenBLAS+LAPACKE, numpy/scipy/nibabel/mne and Chromium yourself (see README)"; \
	fi
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

dist/cli.js: node_modules/.package-lock.json tsconfig.json $(shell find src -name '*.ts' 2>/dev/null)
	npx tsc -p tsconfig.json
	@chmod +x dist/cli.js && touch dist/cli.js

# The native BLAS/LAPACK addon; when it cannot build, linalg falls back to
# its portable path with a one-line notice.
native/linalg/build/Release/linalg.node: .make/system-deps $(wildcard native/linalg/*.c native/linalg/*.h native/linalg/binding.gyp)
	@if [ -x scripts/build-native.sh ]; then scripts/build-native.sh; fi

.PHONY: deps build native
deps: .make/system-deps node_modules/.package-lock.json
build: deps dist/cli.js native
native: $(if $(wildcard native/linalg/binding.gyp),native/linalg/build/Release/linalg.node)

# ----------------------------------------------------------- the studies --
# Listeners, as the mini-study's default config has them (sub-04 is the EEG
# control with no planted response); set these for a real dataset.
FMRI_SUBJECTS ?= 01 02 03
EEG_SUBJECTS  ?= 01 02 03 04

# Make cannot quote a target's name, so the paths that become targets or
# prerequisites (D, the configs, DATASET) must be plain: no whitespace, quotes
# or shell characters. ROOT only reaches recipes and may hold anything.
dollar := $$
hash   := \#
open   := (
close  := )
shell_chars = $(strip $(foreach c,; ' " ` & | < > * ? \ $(dollar) $(hash) $(open) $(close),$(findstring $c,$(value $1))))
check_plain = $(foreach v,$1,$(if $(or $(word 2,$(value $v)),$(call shell_chars,$v)),$(error $v must be a plain path without spaces, quotes or shell characters (make uses it as a target); ROOT may hold any path)))
$(call check_plain,D SYNTH_CFG DATASET)

include pipelines/executor.mk
-include $(filter-out pipelines/executor.mk,$(sort $(wildcard pipelines/*.mk)))
$(call check_plain,BANBAS_CFG ALIGN_CFG EEG_CFG)


.PHONY: all studies
all: build studies

# ----------------------------------------------------------------- tests --
.PHONY: test typecheck lint
typecheck: deps
	npx tsc -p tsconfig.test.json

# Biome's formatter in check mode (an unformatted file fails; `npx biome format --write .` fixes
# it) and its linter (biome.jsonc lists the rules turned down and why; warnings fail the build too).
lint: deps
	npx biome format .
	npx biome lint --error-on-warnings .

test: build typecheck lint
	npx ava

.PHONY: clean
clean:
	rm -rf dist .make native/linalg/build
