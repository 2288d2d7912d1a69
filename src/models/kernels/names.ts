/**
 * Kernels brainalign adds to tfjs under its own names (tfjs has no fused
 * training-mode batch norm with a matching gradient kernel). Only backends
 * that register them use them; src/models/batchnorm.ts checks.
 */
export const BN_TRAIN_KERNEL = 'BrainalignBatchNormTrain';
export const BN_TRAIN_GRAD_KERNEL = 'BrainalignBatchNormTrainGrad';
/** One fused Adam update of one variable (src/models/optimizer.ts). */
export const ADAM_KERNEL = 'BrainalignAdam';
/** Training-mode batch norm → ReLU → 1×k max-pool along the width, forward and gradient (src/models/batchnorm.ts). */
export const BN_RELU_POOL_KERNEL = 'BrainalignBatchNormReluPool';
export const BN_RELU_POOL_GRAD_KERNEL = 'BrainalignBatchNormReluPoolGrad';
