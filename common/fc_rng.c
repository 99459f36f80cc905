/* fc_rng.c — xoshiro256** with splitmix64 seeding. */
#include "fc_rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void fc_rng_seed(fc_rng_t *r, uint64_t seed, uint64_t id1, uint64_t id2)
{
    /* Mix the ids through splitmix so nearby (seed, id) pairs give unrelated streams. */
    uint64_t x = seed;
    uint64_t a = splitmix64(&x) ^ (id1 * 0xd1342543de82ef95ULL);
    uint64_t b = splitmix64(&a) ^ (id2 * 0xaf251af3b0f025b5ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&b);
}

uint64_t fc_rng_u64(fc_rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double fc_rng_uniform(fc_rng_t *r)
{
    return (double)(fc_rng_u64(r) >> 11) * 0x1.0p-53;
}

uint64_t fc_rng_below(fc_rng_t *r, uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = fc_rng_u64(r);
    while (x >= limit);
    return x % n;
}

double fc_rng_normal(fc_rng_t *r)
{
    double u1 = 1.0 - fc_rng_uniform(r); /* (0, 1] keeps log finite */
    double u2 = fc_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

double fc_rng_gamma(fc_rng_t *r, double shape)
{
    if (shape < 1.0) {
        /* Boost: Gamma(a) = Gamma(a+1) U^(1/a). */
        double u = 1.0 - fc_rng_uniform(r);
        return fc_rng_gamma(r, shape + 1.0) * pow(u, 1.0 / shape);
    }
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = fc_rng_normal(r), v = 1.0 + c * x;
        if (v <= 0.0) continue;
        v = v * v * v;
        double u = 1.0 - fc_rng_uniform(r);
        if (log(u) < 0.5 * x * x + d - d * v + d * log(v)) return d * v;
    }
}

void fc_rng_shuffle(fc_rng_t *r, size_t n, size_t *a)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)fc_rng_below(r, i);
        size_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}
