# The input of every study.
#
# By default: the synthetic mini-study, generated from pipelines/mini-study.json
# with known ground truth (10 genres × 8 clips × 6 s of music; simulated fMRI
# with an auditory atlas, EEG with planted temporal response functions, and
# listeners' genre choices). With DATASET=data-manifests/<name>.json ROOT=/path:
# a real dataset on disk, first checked against its manifest; with GTZAN=/path
# too (ds003720), brainalign's view of the dataset and the GTZAN excerpts; with
# PREPARE=1 from the manifest (NH2015 / B2021), the view of its published files.

ifeq ($(DATASET),)
$(STAMPS)/input.json: $(SYNTH_CFG) | build
	$(BA) synth --config "$(SYNTH_CFG)" --out "$$BA_STUDY" --stamp "$@" $${BA_QUIET}
else
# A manifest's mapping.make sets the make variables its dataset needs (the
# listeners, the study config, the decoding target, which studies apply:
# NMED-T has EEG only; PREPARE=1 when the stages read a prepared view).
# Read with plain node, so it works before the build; a variable given on the
# command line still wins over these.
define DATASET_NL


endef
DATASET_MAKE := $(shell $(NODE) -e 'const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).mapping?.make ?? {}; for (const [k, v] of Object.entries(m)) if (k !== "$$comment") process.stdout.write(`$${k} := $${v};;`)' $(DATASET))
$(eval $(subst ;;,$(DATASET_NL),$(DATASET_MAKE)))

ifeq ($(value GTZAN)$(PREPARE),)
$(STAMPS)/input.json: $(DATASET) | build
	$(BA) data verify "$$BA_DATASET" "$$BA_ROOT" --stamp "$@" $${BA_QUIET}
else
# ds003720 (events name GTZAN excerpts) and NH2015 / B2021 (responses in
# NumPy/MATLAB files): after the check, the view the stages read is built as
# a cached stage and linked at $(STUDY) (docs/real-data.md).
ifneq ($(PREPARE),)
STUDY := $(D)/input/$(basename $(notdir $(DATASET)))
export BA_STUDY := $(value STUDY)
endif
$(STAMPS)/dataset-verified.json: $(DATASET) | build
	$(BA) data verify "$$BA_DATASET" "$$BA_ROOT" --stamp "$@" $${BA_QUIET}

$(STAMPS)/input.json: $(STAMPS)/dataset-verified.json $(DATASET)
	$(BA) data prepare "$$BA_DATASET" "$$BA_ROOT" $${BA_GTZAN:+--gtzan "$$BA_GTZAN"} --out "$$BA_D" --link "$$BA_STUDY" --stamp "$@" $${BA_QUIET}
endif

# Only the studies the dataset supports, when its manifest names them.
ifneq ($(DATASET_STUDIES),)
.DEFAULT_GOAL := dataset-studies
.PHONY: dataset-studies
dataset-studies: build $(DATASET_STUDIES)
endif
endif
