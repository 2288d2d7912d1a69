/*
 * A small persistent thread pool for the training kernels (nn*.c).
 *
 * Why our own pool and not OpenBLAS's threads: a training step is hundreds of
 * kernels, most too small for a threaded sgemm to pay off, and the work
 * around the sgemm (im2col, col2im, pooling, batch norm) is single-threaded
 * in any case. Splitting each kernel over images instead threads all of it,
 * with one wake-up per kernel.
 *
 * Determinism: callers split work into tasks by the problem's shape only,
 * never by the thread count, and each task writes its own output (reductions
 * combine per-task partials in task order afterwards), so results are
 * bit-identical whatever the number of threads.
 */
#ifndef BRAINALIGN_NN_POOL_H
#define BRAINALIGN_NN_POOL_H
#include <stddef.h>
#include <stdint.h>

typedef void (*pool_task_fn)(void *ctx, int64_t task);

/*
 * Run tasks 0 … ntasks−1 on up to `threads` threads (the caller is one of
 * them) and return when all are done. OpenBLAS runs single-threaded inside
 * the tasks when more than one thread works; when there is only one task, it
 * runs on the caller with OpenBLAS given the `threads` instead. A call made
 * while another thread's job runs executes its tasks on its own thread.
 */
void pool_run(int threads, int64_t ntasks, pool_task_fn fn, void *ctx);

/*
 * Scratch of at least `floats` floats owned by the calling thread, kept
 * between calls so that large im2col buffers are not mapped and faulted in
 * anew by every kernel. `slot` (0 or 1) picks one of two independent buffers.
 * NULL when out of memory.
 */
float *pool_scratch(int slot, size_t floats);

/* Upper bound on threads (more are clamped). */
#define POOL_MAX_THREADS 64

#endif
