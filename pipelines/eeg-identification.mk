# Study 3 — which song is this listener hearing? (after PredANN, Akama et al.)
#
# EEG recorded while listeners hear the clips is band-passed, notch-filtered,
# re-referenced, cleaned of bad channels, resampled and robust-scaled, then cut
# into segments aligned to each song onset (+200 ms). As in PredANN, an EEG
# encoder and an audio CNN on the waveform learn to classify the song while the
# EEG embedding predicts the (stop-gradient) audio embedding of the same window
# (CE_eeg + CE_audio + λ·InfoNCE); the no-ANN encoder (λ = 0), a lagged linear
# backward model onto the BAN representation and an mTRF envelope
# reconstruction are the baselines. Identification is scored under PredANN's
# chunk split (leaky), held-out time blocks and held-out listeners, against
# chance and a permutation null; the control listener carries no response.

EEG_CFG      ?= pipelines/eeg-identification.json

.PHONY: eeg-identification
studies: eeg-identification
eeg-identification: $(STAMPS)/report-eeg-identification.json

# Targets: the trained BAN's representation of each song at the EEG segment rate,
# or, for a dataset without genre labels to train BAN on (NMED-T), a baseline
# that needs no training (EEG_TARGET_BASELINE=stm|logmel|random-ban).
EEG_TARGET_BASELINE ?=
ifeq ($(EEG_TARGET_BASELINE),)
$(STAMPS)/features-eeg.json: $(STAMPS)/train-ban.json $(EEG_CFG)
	$(BA) features --model "$<" --stimuli "$$BA_STUDY/stimuli" --config "$(EEG_CFG)" --out "$$BA_D" --stamp "$@" $${BA_QUIET}
else
$(STAMPS)/features-eeg.json: $(STAMPS)/input.json $(EEG_CFG) | build
	$(BA) features --baseline "$(EEG_TARGET_BASELINE)" --stimuli "$$BA_STUDY/stimuli" --config "$(EEG_CFG)" --out "$$BA_D" --stamp "$@" $${BA_QUIET}
endif

# Preprocessing, one listener per target.
$(STAMPS)/eeg-prep_sub-%.json: $(STAMPS)/input.json $(EEG_CFG) | build
	$(BA) eeg-prep --bids "$$BA_STUDY" --subject $* --config "$(EEG_CFG)" --out "$$BA_D" --stamp "$@" $${BA_QUIET}

# Decoders and identification across listeners and splits.
$(STAMPS)/decode-eeg.json: $(foreach s,$(EEG_SUBJECTS),$(STAMPS)/eeg-prep_sub-$(s).json) $(STAMPS)/features-eeg.json
	$(BA) decode-eeg --segments $(filter $(STAMPS)/eeg-prep_%,$^) --features $(STAMPS)/features-eeg.json \
	  --stimuli "$$BA_STUDY/stimuli" --config "$(EEG_CFG)" --out "$$BA_D" --stamp "$@" $${BA_QUIET}

# The report: identification accuracy against window length, per decoder and split.
$(STAMPS)/report-eeg-identification.json: $(STAMPS)/decode-eeg.json
	$(BA) report --study eeg-identification --inputs $^ --out "$$BA_D" --stamp "$@" $${BA_QUIET}

# Does InfoNCE help? PredANN (λ from EEG_CFG) against its λ = 0 baseline on the
# same LOSO items for LAMBDA_SEEDS seeds of the synthetic EEG design in
# SYNTH_CFG, with the seed-level sign-flip test and a pooled exact McNemar test
# (docs/eeg-identification.md §9). Not part of `make`: five seeds cost about
# 15 CPU-minutes on the mini-study. Seed ranges can run apart and be merged
# (scripts/predann-lambda.ts --merge).
LAMBDA_SEEDS ?= 5
.PHONY: eeg-lambda
eeg-lambda:
	"$$BA_NODE" node_modules/.bin/tsx scripts/predann-lambda.ts --seeds $(LAMBDA_SEEDS) --synth "$(SYNTH_CFG)" --config "$(EEG_CFG)" --out "$$BA_D/predann-lambda.json"
