# Study 1 — BAN and the Brain-like Auditory Score (BAS).
#
# A shallow recurrent network (BAN: CONV-A1 → RNN-Belt → RNN-PB → RNN-T2/T3 →
# decoder, after CORnet-S) is trained to recognise the genre of 6-s music clips.
# The activations of each area, averaged within each fMRI repetition, predict
# the BOLD response of its matching cortical region by ridge regression with
# FIR delays; α is chosen per voxel by leave-one-run-out cross-validation and
# the held-out correlation on the repeated test runs is normalised by the
# voxel's noise ceiling. s_r averages this over the four area→ROI pairs, s_b
# compares the network's genre choices with the listeners', and BAS is their
# mean.

BANBAS_CFG    ?= pipelines/ban-bas.json

.PHONY: ban-bas
studies: ban-bas
ban-bas: $(STAMPS)/report-ban-bas.json

# Train BAN on the stimuli, split stratified by clip into train/val/test.
$(STAMPS)/train-ban.json: $(STAMPS)/input.json $(BANBAS_CFG) | build
	$(BA) train --stimuli "$$BA_STUDY/stimuli" --arch ban --name ban --config "$(BANBAS_CFG)" --out "$$BA_D" --stamp "$@" $${BA_QUIET}

# Activations of every area and recurrent iteration, one row per TR of each clip.
$(STAMPS)/features-ban.json: $(STAMPS)/train-ban.json $(BANBAS_CFG)
	$(BA) features --model "$<" --stimuli "$$BA_STUDY/stimuli" --config "$(BANBAS_CFG)" --out "$$BA_D" --stamp "$@" $${BA_QUIET}

# Voxel-wise encoding, one subject per target so `make -j` runs them side by side.
$(STAMPS)/encode-ban_sub-%.json: $(STAMPS)/features-ban.json $(STAMPS)/input.json $(BANBAS_CFG)
	$(BA) encode --features "$<" --bids "$$BA_STUDY" --subject $* --config "$(BANBAS_CFG)" --out "$$BA_D" --stamp "$@" $${BA_QUIET} $(call merge_chunks,$@)
$(foreach s,$(FMRI_SUBJECTS),$(eval $(call encode_chunks,$(STAMPS)/encode-ban_sub-$(s).json,$(STAMPS)/features-ban.json,$(s),$(BANBAS_CFG))))

# s_r, s_b and BAS with bootstrap CIs; the 4×4 area×ROI matrix and its correspondence index.
$(STAMPS)/bas.json: $(foreach s,$(FMRI_SUBJECTS),$(STAMPS)/encode-ban_sub-$(s).json) $(STAMPS)/train-ban.json
	$(BA) align --encodings $(filter $(STAMPS)/encode-ban_%,$^) --models $(STAMPS)/train-ban.json \
	  --bids "$$BA_STUDY" --config "$(BANBAS_CFG)" --out "$$BA_D" --stamp "$@" $${BA_QUIET}

# The report: training curves, confusion, per-ROI scores, area×ROI heat map, BAS, brain maps.
$(STAMPS)/report-ban-bas.json: $(STAMPS)/bas.json $(STAMPS)/train-ban.json $(foreach s,$(FMRI_SUBJECTS),$(STAMPS)/encode-ban_sub-$(s).json)
	$(BA) report --study ban-bas --inputs $^ --bids "$$BA_STUDY" --out "$$BA_D" --stamp "$@" $${BA_QUIET}
