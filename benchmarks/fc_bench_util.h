/* fc_bench_util.h — helpers the MPI benchmarks (fc_bench_bandwidth, fc_bench_async) share. */
#ifndef FC_BENCH_UTIL_H
#define FC_BENCH_UTIL_H

#include <stddef.h>

/* Seconds on the monotonic clock. */
double fc_bench_wall(void);
/* GFLOP/s of one n³ dgemm through fc_la (the caller sets the threads), best of 3 wall
 * times, into *gfs. FC_ENOMEM if the three n×n matrices cannot be allocated. */
int fc_bench_gemm_rate(size_t n, double *gfs);

#endif
