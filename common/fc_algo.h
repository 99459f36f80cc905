/* fc_algo.h — the algorithms of SPEC §3 as tables of pure update rules over one
 * client's state and the global state. The runtime only moves the buffers around:
 *   server: pack(global) -> state   ... broadcast ...
 *   client: local(state, client)    -> its site (or dual) changes by delta
 *           ... the clients' terms summed in client order ...
 *   server: apply(global, totals)
 * The totals are Σ_k contribution(client k) — the sums of SPEC §2 (D) — taken over every
 * client after a synchronous round (so no rank has to keep its clients' changes until the
 * running sum reaches it), or the server's previous sums plus the one delta of a
 * sequential step. Central has no contribution: its totals are the summed local results.
 * A name registry maps algorithm.name to a row (adding an algorithm = a file + a row in
 * fc_algo.c's list, or fc_algo_register from outside the library). What the runtime needs
 * to know about an algorithm — its defaults, schedules, whether it has a correction, its
 * stability bound — is a field of its row, never a test of its name.
 * Ownership: fc_global_t and fc_client_t own their vectors (created/destroyed here);
 * a client borrows its data block; fc_work_t is per-rank scratch reused every round. */
#ifndef FC_ALGO_H
#define FC_ALGO_H

#include <stddef.h>
#include <stdint.h>

#include "fc_config.h"
#include "fc_data.h"
#include "fc_error.h"
#include "fc_family.h"
#include "fc_model.h"
#include "fc_solver.h"
#include "fc_variational.h"

/* Largest d for which diag/iso use the dense Newton solver under local_solver = auto. */
#define FC_DENSE_MAX_D 4000

/* Everything an update rule needs to know that is fixed for the run. */
typedef struct {
    const fc_model_t *model;
    const struct fc_algo_ops *ops;
    const fc_family_ops_t *family; /* algorithm.family; iso for algorithms without one */
    const double *mu0;             /* prior mean μ₀ (d, borrowed); NULL: μ₀ = 0 */
    size_t d;
    size_t K;              /* logical clients */
    fc_family_dims_t fd;   /* the family's shape: d, algorithm.rank, server_rank, K, seed */
    double delta;          /* prior precision δ */
    double damping;        /* α */
    double penalty;        /* ρ */
    fc_solve_opts_t local; /* local solver options */
    /* fedavg, fedprox (SPEC §9): the local optimiser of algorithm.optimizer, lr,
     * batch_size and local_epochs. */
    fc_optimizer_t optimizer;
    double lr;
    size_t batch_size;
    int local_epochs;
    size_t n_total;     /* N = Σ_k N_k over every client (the job counts it; 0 = not known) */
    fc_expect_t expect; /* SPEC §10 algorithm.expectation (point for rows without one) */
    fc_cov_shape_t cov; /* the shape of the server's Gaussian q_t (the family's; ISO: δI) */
} fc_algo_ctx_t;

/* The server's global state. m is the posterior mean (θ̄ for admm/ama, θ for central).
 * sum_h, sum_H: running sums of what clients contributed (SPEC §2 (D) for sites). */
typedef struct {
    size_t d;
    double *m;
    double *S;       /* the family's precision S_t (prec_len doubles); NULL if none */
    double *L;       /* the family's factor of S_t, or central's d*d Newton factor; or NULL */
    double *sum_h;   /* d */
    double *sum_H;   /* prec_len doubles; NULL if none */
    double *scratch; /* 3d doubles for server-side steps */
    int stalled;     /* central: the last step made no progress (floating-point floor) */
    int settled;     /* variational central: the precision stopped changing (SPEC §10) */
} fc_global_t;

/* One logical client's private state. */
typedef struct {
    size_t k;
    const fc_data_t *data; /* borrowed */
    double *h;             /* site h_k, or the dual v_k for admm/ama */
    double *H;             /* site H_k: the family's prec_len doubles, or NULL */
    double *theta;         /* the last local solution: θ_k (admm/ama), m_k (fpc/pvi) */
    double *extra;         /* the row's client_extra_len doubles (bayes_admm: S_k), or NULL */
} fc_client_t;

/* Scratch for local updates on one rank (sized for the largest client). */
typedef struct fc_work fc_work_t;

/* Oracle the central algorithm's server step uses for its line search: F(theta).
 * In the runtime this is a collective evaluation over all clients. */
typedef struct {
    int (*objective)(void *ctx, const double *theta, double *F);
    /* SPEC §10: E_q[F] − δ/2 tr S⁻¹ = Σ_k E_q[ℓ_k] + δ/2‖θ − μ₀‖² for q = N(theta, S⁻¹), the
     * precision given in the algorithm's shape (prec: its factor L for full, S for diag),
     * with the mc draws of the central step (stream round 0). NULL where not available. */
    int (*expected)(void *ctx, const double *theta, const double *prec, double *F);
    void *ctx;
} fc_oracle_t;

typedef struct fc_algo_ops {
    const char *name;
    int has_sites;    /* fpc/pvi: sites (h, H); admm/ama: duals (h = v, H = 0); central: none.
                       * Algorithms with sites report the correction (SPEC §2). */
    int uses_family;  /* 1: algorithm.family shapes the sites; 0: treated as iso */
    int dense_server; /* 1: the server step needs a d×d matrix (central's Newton) */
    int default_local_steps;   /* local Newton steps when algorithm.local_steps is not set */
    int exact_local_solve;     /* 1: the fixed point needs the local problem solved (warn on a
                                * local_steps below 5) */
    unsigned schedules;        /* FC_SCHEDULE_BIT(...) of the schedules it runs */
    int partial_participation; /* 1: a round updates the seeded subset of
                                * algorithm.participation; 0: every client, always */
    /* Config keys of the [algorithm] section it reads besides name (space-separated), for
     * summaries and legends. */
    const char *keys;
    /* SPEC §10: 1 if it takes algorithm.expectation (a variational local step or, central,
     * the variational posterior q*); vi_family: without sites of its own, it keeps a Gaussian
     * of algorithm.family's shape when the expectation is not point (diag, else full);
     * needs_precision: algorithm.family must be full or diag (bayes_admm). */
    int expectations;
    int vi_family;
    int needs_precision;
    /* Optional: doubles of per-client state besides (h, H, θ_k), kept in fc_client_t.extra
     * and in checkpoints (bayes_admm: the local precision S_k). NULL: none. */
    size_t (*client_extra_len)(const fc_algo_ctx_t *a);
    /* Tseng-type stability bound (SPEC §3.4): the penalty ρ below which the iteration is
     * stable for this family, prior precision, damping and K; NaN where none is known. NULL
     * = none. */
    double (*stability_bound)(const fc_family_ops_t *family, double delta, double damping,
                              size_t K);
    /* Optional: set client c's state to the algorithm's fixed point at θ* (theta_star): the
     * state a converged run holds there. With it the server can linearise the round map
     * at θ* (fc_server_radius). */
    void (*fixed_point)(const fc_algo_ctx_t *a, fc_client_t *c, const double *theta_star,
                        fc_work_t *w);
    /* Doubles in the server->client state and in one client's contribution. */
    size_t (*state_len)(const fc_algo_ctx_t *a);
    size_t (*delta_len)(const fc_algo_ctx_t *a);
    /* Optional: doubles one participating client exchanges per round, both ways, for the
     * payload metric (SPEC §7 `bytes`: what the algorithm needs, not what the transport's
     * arrays hold). NULL: state_len + delta_len. */
    size_t (*wire_len)(const fc_algo_ctx_t *a);
    /* Server: write the broadcast state. */
    void (*pack)(const fc_algo_ctx_t *a, const fc_global_t *g, double *state);
    /* Client k: local update from the state; updates c and writes its contribution
     * (delta_len doubles, overwritten). FC_ENOTSPD for an indefinite cavity/site. */
    FC_MUST int (*local)(const fc_algo_ctx_t *a, fc_client_t *c, const double *state, double *delta,
                         fc_work_t *w);
    /* Client k's current term in the server's sums (delta_len doubles, the layout of delta):
     * [h_k, H_k] for sites, ρθ_k + v_k for ADMM, v_k for AMA. NULL for central. */
    void (*contribution)(const fc_algo_ctx_t *a, const fc_client_t *c, double *out);
    /* Server: take the totals and recompute the global state. */
    FC_MUST int (*apply)(const fc_algo_ctx_t *a, fc_global_t *g, const double *totals,
                         const fc_oracle_t *oracle);
    /* Optional: doubles of the algorithm's own per-rank scratch for client blocks of up to
     * max_n examples (fedavg's shuffle and minibatch); fc_work_create allocates them and
     * fc_algo_memory_estimate counts them. NULL: none. */
    size_t (*work_len)(const fc_algo_ctx_t *a, size_t max_n);
} fc_algo_ops_t;

/* Doubles one participating client exchanges per round: the row's wire_len, or
 * state_len + delta_len. */
size_t fc_algo_wire_len(const fc_algo_ctx_t *a);

/* The server's current sums in the contribution layout (for a sequential step: totals =
 * sums + one client's delta). */
void fc_global_sums(const fc_algo_ctx_t *a, const fc_global_t *g, double *out);

/* The row for an algorithm.name, or NULL. */
const fc_algo_ops_t *fc_algo_find(const char *name);
/* Registered names, comma-separated (for messages and --help). */
void fc_algo_names(char *buf, size_t size);
/* Add an algorithm (borrowed row). FC_EINVAL if the name is taken or a required operation
 * is missing. */
FC_MUST int fc_algo_register(const fc_algo_ops_t *ops);

/* Does algorithm a, with family name `family`, read [algorithm] key `key` (without the
 * section)? name always; the others by its row's keys list; the penalty of an algorithm
 * with families only for a family that keeps no precision (iso's fixed ρ). */
int fc_algo_uses_key(const fc_algo_ops_t *a, const char *family, const char *key);

/* The prior term of F (SPEC §1, §8): δ/2‖θ − μ₀‖². */
double fc_prior_value(const fc_algo_ctx_t *a, const double *theta);
/* out = δ(θ − μ₀) + sum: the gradient of F given Σ_k ∇ℓ_k(θ) in sum (out may be sum). */
void fc_prior_gradient(const fc_algo_ctx_t *a, const double *theta, const double *sum, double *out);

/* Build the fixed context of algorithm ops (a registry row) from a config and a model. */
void fc_algo_ctx_init(fc_algo_ctx_t *a, const fc_config_t *c, const fc_algo_ops_t *ops,
                      const fc_model_t *model, size_t K);

FC_MUST int fc_global_create(const fc_algo_ctx_t *a, fc_global_t **out);
void fc_global_destroy(fc_global_t **g);
/* Sites at zero: the prior (q_0). */
FC_MUST int fc_client_create(const fc_algo_ctx_t *a, size_t k, const fc_data_t *data,
                             fc_client_t **out);
void fc_client_destroy(fc_client_t **c);
FC_MUST int fc_work_create(const fc_algo_ctx_t *a, size_t max_n, fc_work_t **out);
void fc_work_destroy(fc_work_t **w);
/* The model's work buffer inside w (for an algorithm's own model evaluations). */
double *fc_work_model(fc_work_t *w);
/* The round the next local updates belong to: the random streams seeded by round (SPEC §10's
 * mc draws, fedavg's shuffles) read it, never the rank. */
void fc_work_set_round(fc_work_t *w, int round);

/* The server's Gaussian q_t = N(g->m, S⁻¹) as a precision of shape a->cov: the family's S
 * (diag), its factor L (full), or δI (iso and algorithms without a precision). */
void fc_global_prec(const fc_algo_ctx_t *a, const fc_global_t *g, fc_prec_t *q);
/* Doubles of a precision of shape a->cov on the wire: d×d (full: its factor), d (diag), 0. */
size_t fc_vi_prec_len(const fc_algo_ctx_t *a);

/* SPEC §10 metrics under q (mean theta, precision q): out[0] = E_q[ℓ_k], out[1] = the squared
 * correction at theta (as fc_client_metrics), out[2..2+d) = E_q[∇ℓ_k]. Stream: client k,
 * a fixed metrics round, so every round's metrics use the same draws. */
void fc_client_metrics_vi(const fc_algo_ctx_t *a, const fc_client_t *c, const double *theta,
                          const fc_prec_t *q, double *out, fc_work_t *w);

/* Per-client metric contribution at theta: out[0] = ℓ_k(θ), out[1] = the squared
 * correction ‖∇ℓ_k(θ) − (H_k θ − h_k)‖² (SPEC §2; 0 without sites), out[2..2+d) =
 * ∇ℓ_k(θ). With hess != NULL also ∇²ℓ_k(θ) (d*d) into hess. */
void fc_client_metrics(const fc_algo_ctx_t *a, const fc_client_t *c, int has_sites,
                       const double *theta, double *out, double *hess, fc_work_t *w);

/* ℓ_k(θ) alone (line searches). */
double fc_client_loss(const fc_algo_ctx_t *a, const fc_client_t *c, const double *theta,
                      fc_work_t *w);

/* Bytes one rank needs for n_clients clients' state and the per-rank work buffers of a
 * run with blocks of up to max_n examples (data not included); SIZE_MAX on overflow. */
size_t fc_algo_memory_estimate(const fc_algo_ctx_t *a, size_t n_clients, size_t max_n);

/* Serialisation for checkpoints: a client's state (h, H, θ_k) and the server's global
 * state (m, S, L, Σh, ΣH) as flat arrays of doubles. */
size_t fc_client_state_len(const fc_algo_ctx_t *a);
void fc_client_state_pack(const fc_algo_ctx_t *a, const fc_client_t *c, double *out);
void fc_client_state_unpack(const fc_algo_ctx_t *a, fc_client_t *c, const double *in);
/* The client's state as arrays in fc_client_state_pack's order (h, θ_k, H), for gathers
 * and scatters in place: writes up to FC_CLIENT_STATE_PIECES pointers and lengths,
 * returns how many. */
#define FC_CLIENT_STATE_PIECES 4
size_t fc_client_state_pieces(const fc_algo_ctx_t *a, fc_client_t *c, double **ptr, size_t *len);
size_t fc_global_state_len(const fc_algo_ctx_t *a);
void fc_global_state_pack(const fc_algo_ctx_t *a, const fc_global_t *g, double *out);
void fc_global_state_unpack(const fc_algo_ctx_t *a, fc_global_t *g, const double *in);

/* Which clients update in a round: ⌈frac K⌉ of them, seeded by (seed, round); the same
 * on every rank. mask[k] = 1 for participants. */
void fc_participants(size_t K, double frac, uint64_t seed, int round, unsigned char *mask);

#endif
