# The input of every study.
#
# By default: the synthetic mini-study, generated from pipelines/mini-study.json
# with known ground truth (10 genres × 8 clips × 6 s of music; simulated fMRI
# with an auditory atlas, EEG with planted temporal response functions, and
# listeners' genre choices). With DATASET=data-manifests/<name>.json ROOT=/path:
# a real dataset on disk, first checked against its manifest; with GTZAN=/path
# too (ds003720), brainalign's view of the dataset and the GTZAN excerpts.

ifeq ($(DATASET),)
$(STAMPS)/input.json: $(SYNTH_CFG) | build
	$(BA) synth --config $(SYNTH_CFG) --out $(STUDY) --stamp $@ $(QUIET)
else ifeq ($(GTZAN),)
$(STAMPS)/input.json: $(DATASET) | build
	$(BA) data verify "$(DATASET)" "$(ROOT)" --stamp "$@" $(QUIET)
else
# ds003720: the events name GTZAN excerpts, so after the check the view the
# stages read (cut excerpts, stim_id events, test repetitions as runs) is
# built as a cached stage and linked at $(STUDY) (docs/real-data.md).
$(STAMPS)/dataset-verified.json: $(DATASET) | build
	$(BA) data verify "$(DATASET)" "$(ROOT)" --stamp "$@" $(QUIET)

$(STAMPS)/input.json: $(STAMPS)/dataset-verified.json $(DATASET)
	$(BA) data prepare "$(DATASET)" "$(ROOT)" --gtzan "$(GTZAN)" --out "$(D)" --link "$(STUDY)" --stamp "$@" $(QUIET)
endif
