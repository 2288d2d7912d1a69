# Study 2 — alignment across models and training checkpoints.
#
# Several networks (BAN, a feed-forward CNN of similar size, BAN without
# recurrence) are trained on the same split; their activations at every saved
# checkpoint, and those of untrained and hand-built baselines (log-mel,
# spectrotemporal modulation filterbank, BAN with random weights, and the flat
# model: the log-mel copied into every BAN area), are encoded
# voxel-wise onto each listener's auditory cortex and compared by RSA. The
# alignment of each model is then set against its genre accuracy across models
# (does the better classifier align better?) and followed over training.

ALIGN_CFG       ?= pipelines/alignment.json
ALIGN_TRAINED   ?= ban cnn ban-norec
ALIGN_BASELINES ?= logmel stm random-ban flat
# ONNX models declared under onnx.models of ALIGN_CFG, by name (docs/onnx-models.md); none by default.
ALIGN_ONNX      ?=
ALIGN_MODELS    := $(ALIGN_TRAINED) $(ALIGN_BASELINES) $(ALIGN_ONNX)

arch_of     = $(if $(filter cnn,$1),cnn,ban)
ablation_of = $(if $(filter ban-norec,$1),no-recurrence,none)

.PHONY: alignment
studies: alignment
alignment: $(STAMPS)/report-alignment.json

# Each trained model: the same stimuli, split and optimiser; checkpoints every K epochs.
$(foreach m,$(ALIGN_TRAINED),$(STAMPS)/align-train-$(m).json): $(STAMPS)/align-train-%.json: $(STAMPS)/input.json $(ALIGN_CFG) | build
	$(BA) train --stimuli "$$BA_STUDY/stimuli" --arch $(call arch_of,$*) --ablation $(call ablation_of,$*) --name $* \
	  --config "$(ALIGN_CFG)" --out "$$BA_D" --stamp "$@" $${BA_QUIET}

# Activations at every checkpoint, one row per TR.
$(foreach m,$(ALIGN_TRAINED),$(STAMPS)/align-features-$(m).json): $(STAMPS)/align-features-%.json: $(STAMPS)/align-train-%.json
	$(BA) features --model "$<" --checkpoint all --stimuli "$$BA_STUDY/stimuli" --config "$(ALIGN_CFG)" --out "$$BA_D" --stamp "$@" $${BA_QUIET}

# Baselines need no training.
$(foreach m,$(ALIGN_BASELINES),$(STAMPS)/align-features-$(m).json): $(STAMPS)/align-features-%.json: $(STAMPS)/input.json $(ALIGN_CFG) | build
	$(BA) features --baseline $* --stimuli "$$BA_STUDY/stimuli" --config "$(ALIGN_CFG)" --out "$$BA_D" --stamp "$@" $${BA_QUIET}

# ONNX models: activations of their layers from the audio; the .onnx file's content enters the
# stage key, but make does not see it: after replacing a model file, delete its stamp.
$(foreach m,$(ALIGN_ONNX),$(STAMPS)/align-features-$(m).json): $(STAMPS)/align-features-%.json: $(STAMPS)/input.json $(ALIGN_CFG) | build
	$(BA) features --onnx $* --stimuli "$$BA_STUDY/stimuli" --config "$(ALIGN_CFG)" --out "$$BA_D" --stamp "$@" $${BA_QUIET}

# Voxel-wise encoding of every model × subject (independent targets: make -j runs them in parallel).
define align_encode_rule
$(STAMPS)/align-encode-$(1)_sub-$(2).json: $(STAMPS)/align-features-$(1).json $(STAMPS)/input.json $(ALIGN_CFG)
	$$(BA) encode --features "$$<" --bids "$$$$BA_STUDY" --subject $(2) --config "$$(ALIGN_CFG)" --out "$$$$BA_D" --stamp "$$@" $$$${BA_QUIET} $$(call merge_chunks,$$@)
$(call encode_chunks,$(STAMPS)/align-encode-$(1)_sub-$(2).json,$(STAMPS)/align-features-$(1).json,$(2),$(ALIGN_CFG))
endef
$(foreach m,$(ALIGN_MODELS),$(foreach s,$(FMRI_SUBJECTS),$(eval $(call align_encode_rule,$(m),$(s)))))
ALIGN_ENCODINGS := $(foreach m,$(ALIGN_MODELS),$(foreach s,$(FMRI_SUBJECTS),$(STAMPS)/align-encode-$(m)_sub-$(s).json))

# Alignment per model and checkpoint, RSA, and alignment against task performance.
$(STAMPS)/alignment.json: $(ALIGN_ENCODINGS) $(foreach m,$(ALIGN_TRAINED),$(STAMPS)/align-train-$(m).json)
	$(BA) align --encodings $(ALIGN_ENCODINGS) --models $(foreach m,$(ALIGN_TRAINED),$(STAMPS)/align-train-$(m).json) \
	  --bids "$$BA_STUDY" --config "$(ALIGN_CFG)" --out "$$BA_D" --stamp "$@" $${BA_QUIET}

# The report: every figure as HTML, SVG and PNG.
$(STAMPS)/report-alignment.json: $(STAMPS)/alignment.json
	$(BA) report --study alignment --inputs $^ $(ALIGN_ENCODINGS) $(foreach m,$(ALIGN_TRAINED),$(STAMPS)/align-train-$(m).json) \
	  --bids "$$BA_STUDY" --out "$$BA_D" --stamp "$@" $${BA_QUIET}
