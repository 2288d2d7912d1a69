# The input of every study.
#
# By default: the synthetic mini-study, generated from pipelines/mini-study.json
# with known ground truth (10 genres × 8 clips × 6 s of music; simulated fMRI
# with an auditory atlas, EEG with planted temporal response functions, and
# listeners' genre choices). With DATASET=data-manifests/<name>.json ROOT=/path:
# a real dataset on disk, first checked against its manifest.

ifeq ($(DATASET),)
$(STAMPS)/input.json: $(SYNTH_CFG) | build
	$(BA) synth --config "$(SYNTH_CFG)" --out "$$BA_STUDY" --stamp "$@" $${BA_QUIET}
else
$(STAMPS)/input.json: $(DATASET) | build
	$(BA) data verify "$$BA_DATASET" "$$BA_STUDY" --stamp "$@" $${BA_QUIET}
endif
