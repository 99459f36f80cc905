/* fc_async.h — the MPI-free parts of the asynchronous schedule (SPEC §11): the straggler
 * delays of run.client_delay, the staleness rule (max_staleness, staleness_damping), the
 * one-rank virtual clock, and the arrivals record (arrivals.csv) that run.replay reads.
 * Everything here is a pure function of its inputs, so the unit tests check it directly. */
#ifndef FC_ASYNC_H
#define FC_ASYNC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fc_error.h"

/* run.client_delay: none | lognormal:μ:σ | k:seconds,k:seconds,... */
typedef enum { FC_DELAY_NONE, FC_DELAY_LOGNORMAL, FC_DELAY_LIST } fc_delay_kind_t;

#define FC_DELAY_TEXT_MAX 256 /* the key's text, at most this long (with the NUL) */
#define FC_DELAY_LIST_MAX 64  /* entries of a k:seconds list */

typedef struct {
    fc_delay_kind_t kind;
    double mu, sigma; /* lognormal: of the natural log of the delay in seconds */
    int n;            /* list: entries */
    long client[FC_DELAY_LIST_MAX];
    double seconds[FC_DELAY_LIST_MAX];
} fc_delay_t;

/* Parse the key's text. 0, or -1 with the reason in why (the caller names the key):
 * an unknown form, a number that is not finite, σ or a delay below 0, a client given
 * twice or not a non-negative integer. */
int fc_delay_parse(const char *text, fc_delay_t *out, char *why, size_t wn);
/* The largest client index a list names, or −1 (none, lognormal). */
long fc_delay_max_client(const fc_delay_t *d);
/* The delay in seconds of client k's update number j (0-based), drawn from a stream seeded
 * by (seed, k, j) alone: the same for every P and placement, and at every resume. */
double fc_delay_draw(const fc_delay_t *d, uint64_t seed, size_t k, uint64_t j);

/* The staleness rule: the factor an update of staleness s is applied with (its damped
 * change times this): 0 = dropped (s > max_staleness > 0), else 1 (damping none) or
 * 1/(1 + s) (inverse, so the step is α/(1 + s)). */
double fc_async_factor(int max_staleness, int inverse, int64_t staleness);

/* The one-rank virtual clock: each client's next event (its join, then each update's
 * arrival) at a time; the earliest among the clients allowed goes first, ties broken by
 * the order events were scheduled (seq). */
typedef struct {
    double time;
    uint64_t seq;
} fc_vevent_t;
/* The client of the earliest event among those with allowed[k] != 0 (NULL: all), or −1
 * if none is allowed. */
long fc_vclock_next(size_t K, const fc_vevent_t *ev, const unsigned char *allowed);

/* One line of arrivals.csv: an update that reached the server. */
typedef struct {
    int64_t update; /* 1, 2, ... every arrival, dropped ones too */
    int64_t client; /* k */
    int64_t used;   /* the version it was computed from */
    int64_t made;   /* the version it made; −1 when dropped */
    int64_t staleness;
    double seconds; /* since the run started (virtual seconds on one rank) */
} fc_arrival_t;

/* The header of arrivals.csv: a comment naming the run (K, seed) and the column names. */
void fc_arrivals_header(FILE *f, size_t K, uint64_t seed);
void fc_arrivals_line(FILE *f, const fc_arrival_t *a);

/* A recorded order (run.replay). */
typedef struct {
    fc_arrival_t *a;
    long *line; /* the file's line of each arrival */
    size_t n;
    long last_line; /* the file's last line */
} fc_replay_t;

/* Read path, written by a run with K clients and seed `seed`. FC_ECONFIG "PATH:LINE: ..."
 * for a malformed line, a header of another run (clients or seed), updates out of order,
 * a client ≥ K, versions that do not follow (made = used + staleness + 1, or −1 for a
 * dropped one, and each made one more than the last), FC_EIO if it cannot be read. */
FC_MUST int fc_replay_load(const char *path, size_t K, uint64_t seed, fc_replay_t *out);
void fc_replay_free(fc_replay_t *r);

#endif
