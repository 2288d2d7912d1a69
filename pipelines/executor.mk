# Where the stages run, and how an encoding fans out (docs/scale-out.md).
#
# EXECUTOR=local (default) runs every recipe here. EXECUTOR=slurm submits
# each one as a SLURM batch job through `brainalign slurm run`, with the
# resources SLURM_CFG gives its target, and waits for it: make's dependency
# graph orders the jobs and `make -jN` keeps N of them queued. A job stopped
# from outside (scancel, pre-emption, node failure) is resubmitted. The
# derivatives root D must be on storage every node sees.
#
# ENCODE_CHUNKS=N (default 1) splits each voxel-wise encoding into N voxel
# chunks, each its own target (and job), merged by the encoding's own target
# into the artifact a single run writes, byte for byte.

EXECUTOR      ?= local
SLURM_CFG     ?= pipelines/slurm.json
ENCODE_CHUNKS ?= 1

ifeq ($(EXECUTOR),slurm)
EXEC = "$$BA_NODE" dist/cli.js slurm run --target "$@" --resources "$(SLURM_CFG)" --out "$$BA_D" --
else ifneq ($(EXECUTOR),local)
$(error EXECUTOR must be local or slurm, got "$(EXECUTOR)")
endif
ifeq ($(shell [ "$(ENCODE_CHUNKS)" -ge 1 ] 2>/dev/null && echo ok),)
$(error ENCODE_CHUNKS must be a positive integer, got "$(ENCODE_CHUNKS)")
endif

# The chunk stamps of an encode stamp: <stamp>.chunk-<i>-of-<N>.json, none when N = 1.
chunk_stamps = $(if $(filter-out 1,$(ENCODE_CHUNKS)),$(foreach i,$(shell seq 1 $(ENCODE_CHUNKS)),$(basename $1).chunk-$i-of-$(ENCODE_CHUNKS).json))
# What an encode recipe adds to merge its chunks.
merge_chunks = $(if $(call chunk_stamps,$1),--merge $(call chunk_stamps,$1))

# $(call encode_chunks,<encode stamp>,<features stamp>,<subject>,<config>): the chunk targets of one encoding.
define encode_chunks
ifneq ($(call chunk_stamps,$(1)),)
$(1): $(call chunk_stamps,$(1))
$(call chunk_stamps,$(1)): $(basename $(1)).chunk-%.json: $(2) $$(STAMPS)/input.json $(4)
	$$(BA) encode --features "$(2)" --bids "$$$$BA_STUDY" --subject $(3) --config "$(4)" --chunk $$(subst -of-,/,$$*) --out "$$$$BA_D" --stamp "$$@" $$$${BA_QUIET}
endif
endef
