/**
 * Which arithmetic the native training kernels do: bumped whenever a kernel's
 * results change (not its speed), e.g. a new convolution algorithm or a
 * different summation order. The stages that run networks (train, features,
 * decode-eeg) put it in their cache keys, so that artifacts computed with
 * earlier kernels are recomputed rather than served as if current. Free of
 * tfjs, so stage modules can read it without loading a backend.
 *
 * kernels-2: fused batch norm → ReLU → pooling, Winograd F(2×2, 3×3),
 * whole-batch products for small images, register-blocked first layer.
 * kernels-3: Winograd filter gradients.
 */
export const KERNEL_NUMERICS = 'kernels-3';
