/* The training kernels' thread pool (nn_pool.h): workers spin briefly, then sleep on a condition variable, between jobs. */
#include "nn_pool.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

extern void openblas_set_num_threads(int);
extern int openblas_get_num_threads(void);

static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER; /* one job at a time */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;       /* guards sleeping on `wake` */
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int started = 0;              /* workers created (indices 1 … started) */
static atomic_ullong generation;     /* bumped per job; the job's fields are published before it */
static atomic_int wanted;            /* workers (besides the caller) that may take part in the current job */
static atomic_ullong open_gen;       /* the generation still accepting workers, 0 once its caller has run out of tasks */
static atomic_int active;            /* workers inside a job (or checking whether they may enter) */
static pool_task_fn job_fn;
static void *job_ctx;
static int64_t job_tasks;
static atomic_llong next_task;

/*
 * A worker spins this many pause instructions (microseconds to tens of
 * microseconds, by CPU) for the next job before it
 * sleeps on the condition variable: kernels of a training step often follow
 * each other that closely. Ten times as many spins was slower in our 2-core
 * runs: the spinning worker holds the core that V8's garbage-collector
 * threads and the main thread's JavaScript need between kernels.
 */
#define SPIN_ROUNDS 2000

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

static _Thread_local struct {
  float *data;
  size_t floats;
} scratch[2];

float *pool_scratch(int slot, size_t floats) {
  if (slot < 0 || slot > 1) return NULL;
  if (scratch[slot].floats < floats) {
    free(scratch[slot].data);
    scratch[slot].data = (float *)malloc(sizeof(float) * floats);
    scratch[slot].floats = scratch[slot].data ? floats : 0;
  }
  return scratch[slot].data;
}

static void drain(void) {
  for (;;) {
    const int64_t t = atomic_fetch_add(&next_task, 1);
    if (t >= job_tasks) return;
    job_fn(job_ctx, t);
  }
}

static void *worker_main(void *arg) {
  const int me = (int)(intptr_t)arg;
  unsigned long long seen = 0;
  for (;;) {
    unsigned long long g = atomic_load_explicit(&generation, memory_order_acquire);
    for (int spin = 0; g == seen && spin < SPIN_ROUNDS; spin++) {
      cpu_relax();
      g = atomic_load_explicit(&generation, memory_order_acquire);
    }
    if (g == seen) {
      pthread_mutex_lock(&mu);
      while ((g = atomic_load_explicit(&generation, memory_order_acquire)) == seen) pthread_cond_wait(&wake, &mu);
      pthread_mutex_unlock(&mu);
    }
    seen = g;
    /*
     * Enter only while the job is open. A worker that wakes late (its core
     * was taken by the garbage collector, say) finds the caller done and
     * stays out, instead of the caller waiting for its wake-up. Both sides
     * use sequentially consistent operations: either the worker sees the
     * job closed, or the caller sees the worker active and waits for it.
     */
    atomic_fetch_add(&active, 1);
    if (atomic_load(&open_gen) == g && me <= atomic_load_explicit(&wanted, memory_order_relaxed)) drain();
    atomic_fetch_sub_explicit(&active, 1, memory_order_release);
  }
  return NULL;
}

/* Create workers up to index n−1; returns how many exist. */
static int ensure_workers(int n) {
  while (started < n - 1) {
    pthread_t t;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    const int ok = pthread_create(&t, &at, worker_main, (void *)(intptr_t)(started + 1)) == 0;
    pthread_attr_destroy(&at);
    if (!ok) break;
    started++;
  }
  return started + 1;
}

/* Every task on the calling thread, OpenBLAS given `threads` (one large task still uses the cores). */
static void run_here(int threads, int64_t ntasks, pool_task_fn fn, void *ctx) {
  const int blas = openblas_get_num_threads();
  const int want = threads > 0 ? threads : 1;
  if (blas != want) openblas_set_num_threads(want);
  for (int64_t t = 0; t < ntasks; t++) fn(ctx, t);
  if (blas != want) openblas_set_num_threads(blas);
}

void pool_run(int threads, int64_t ntasks, pool_task_fn fn, void *ctx) {
  if (ntasks <= 0) return;
  if (threads > POOL_MAX_THREADS) threads = POOL_MAX_THREADS;
  if (threads <= 1 || ntasks == 1) {
    run_here(threads, ntasks, fn, ctx);
    return;
  }
  if (pthread_mutex_trylock(&job_lock) != 0) {
    /* Another thread's job holds the pool (and has OpenBLAS at one thread): run here, leaving OpenBLAS alone. */
    for (int64_t t = 0; t < ntasks; t++) fn(ctx, t);
    return;
  }
  if (threads > ntasks) threads = (int)ntasks;
  threads = ensure_workers(threads) < threads ? started + 1 : threads;
  if (threads <= 1) {
    pthread_mutex_unlock(&job_lock);
    run_here(1, ntasks, fn, ctx);
    return;
  }
  const int blas = openblas_get_num_threads();
  if (blas != 1) openblas_set_num_threads(1);
  job_fn = fn;
  job_ctx = ctx;
  job_tasks = ntasks;
  atomic_store_explicit(&next_task, 0, memory_order_relaxed);
  atomic_store_explicit(&wanted, threads - 1, memory_order_relaxed);
  const unsigned long long g = atomic_load_explicit(&generation, memory_order_relaxed) + 1;
  atomic_store(&open_gen, g);
  /* Under the lock, so that a worker between its last check and its wait cannot miss the broadcast. */
  pthread_mutex_lock(&mu);
  atomic_store_explicit(&generation, g, memory_order_release);
  pthread_cond_broadcast(&wake);
  pthread_mutex_unlock(&mu);
  drain();
  /* Every task is claimed: close the job, then wait (without sleeping) for the workers inside it to finish theirs. */
  atomic_store(&open_gen, 0);
  while (atomic_load(&active) > 0) cpu_relax();
  if (blas != 1) openblas_set_num_threads(blas);
  pthread_mutex_unlock(&job_lock);
}
