# Natural sounds (NH2015 / B2021): sound-level encoding and RSA, Pepino's and
# Tuckute et al.'s protocol, on the 165 sounds.
#
#   make DATASET=data-manifests/nh2015.json ROOT=/path/to/data
#
# The dataset's view (dataset.mk, PREPARE=1 from the manifest) holds the
# sounds and each participant's responses (sounds × voxels × scans) and the
# components. Each model's activations are averaged over each sound (no HRF:
# the responses are one value per sound and scan); encode-sounds runs nested
# 5-fold ridge with the layer chosen by the inner folds, the squared
# noise-corrected r and cross-validated layer RSA; align-sounds gathers the
# models and writes reports/natural-sounds.html. A trained network joins with
# NS_TRAINED=<name> NS_MODEL_<name>=<train stamp or artifact> (e.g. a BAN from
# `make ban-bas`, whose features are computed on these sounds).

NS_CFG       ?= pipelines/natural-sounds.json
NS_BASELINES ?= logmel stm random-ban
NS_TRAINED   ?=
NS_MODELS    := $(NS_BASELINES) $(NS_TRAINED)
$(call check_plain,NS_CFG)

.PHONY: natural-sounds
natural-sounds: $(STAMPS)/report-natural-sounds.json

# Baselines need no training.
$(foreach m,$(NS_BASELINES),$(STAMPS)/ns-features-$(m).json): $(STAMPS)/ns-features-%.json: $(STAMPS)/input.json $(NS_CFG) | build
	$(BA) features --baseline $* --stimuli "$$BA_STUDY/stimuli" --config "$(NS_CFG)" --out "$$BA_D" --stamp "$@" $${BA_QUIET}

# A trained network given by its train stamp or artifact (the best checkpoint).
$(call check_plain,$(foreach m,$(NS_TRAINED),NS_MODEL_$(m)))
define ns_trained_rule
$(STAMPS)/ns-features-$(1).json: $(STAMPS)/input.json $(NS_CFG) $(NS_MODEL_$(1)) | build
	$$(BA) features --model "$$(NS_MODEL_$(1))" --checkpoint best --stimuli "$$$$BA_STUDY/stimuli" --config "$$(NS_CFG)" --out "$$$$BA_D" --stamp "$$@" $$$${BA_QUIET}
endef
$(foreach m,$(NS_TRAINED),$(eval $(call ns_trained_rule,$(m))))

# Every participant and component of the view, one model at a time (make -j runs models in parallel).
$(foreach m,$(NS_MODELS),$(STAMPS)/ns-encode-$(m).json): $(STAMPS)/ns-encode-%.json: $(STAMPS)/ns-features-%.json $(STAMPS)/input.json $(NS_CFG)
	$(BA) encode-sounds --features "$<" --study "$$BA_STUDY" --config "$(NS_CFG)" --out "$$BA_D" --stamp "$@" $${BA_QUIET}

# Group tables across models and the report.
$(STAMPS)/report-natural-sounds.json: $(foreach m,$(NS_MODELS),$(STAMPS)/ns-encode-$(m).json)
	$(BA) align-sounds --encodings $^ --dataset "$(basename $(notdir $(DATASET)))" --out "$$BA_D" --stamp "$@" $${BA_QUIET}
