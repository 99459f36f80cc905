/* fc_rng.h — explicit-state random streams (xoshiro256**), seeded from
 * (seed, stream ids) by splitmix64, so every draw is reproducible and no stream
 * depends on how many ranks run. Never rand() or time(). */
#ifndef FC_RNG_H
#define FC_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
} fc_rng_t;

/* Seed a stream from the run seed and up to two stream ids (client, round, ...). */
void fc_rng_seed(fc_rng_t *r, uint64_t seed, uint64_t id1, uint64_t id2);
uint64_t fc_rng_u64(fc_rng_t *r);
/* Uniform in [0, 1). */
double fc_rng_uniform(fc_rng_t *r);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint64_t fc_rng_below(fc_rng_t *r, uint64_t n);
/* Standard normal (Box–Muller, no cached second draw: the state says it all). */
double fc_rng_normal(fc_rng_t *r);
/* Gamma(shape, 1), shape > 0 (Marsaglia–Tsang). */
double fc_rng_gamma(fc_rng_t *r, double shape);
/* Fisher–Yates shuffle of n size_t values. */
void fc_rng_shuffle(fc_rng_t *r, size_t n, size_t *a);

#endif
