/* fc_radius.c — the linearised spectral radius of the round map at θ* (issue "Stability,
 * measured"): the state every client holds at the algorithm's fixed point is perturbed,
 * one round is run, and the change of the state after the round, divided by the size of
 * the perturbation, is one Jacobian-vector product of the map. Arnoldi on those products
 * (the whole state space when it has at most RADIUS_KRYLOV dimensions, so the eigenvalues
 * are those of the full Jacobian) gives the modulus of its largest eigenvalue: the rate at
 * which a run started near θ* converges (radius < 1) or leaves (> 1). Power iteration is
 * not enough: the round maps of AMA-like methods have many eigenvalues within 1e-3 of the
 * largest, so it would need thousands of rounds to separate them. */
#include <math.h>
#include <string.h>

#include "fc_la.h"
#include "fc_mem.h"
#include "fc_rng.h"
#include "fc_server_impl.h"

#define RADIUS_KRYLOV 200 /* Arnoldi steps at most (the whole space when it is smaller) */
#define RADIUS_EPS 1e-5   /* perturbation, relative to the largest entry of the state */
#define RADIUS_MAX_DOUBLES ((size_t)1 << 21) /* 16 MiB of gathered state at most */

int fc_srv_radius_applies(const server_t *s)
{
    const fc_algo_ctx_t *a = s->ctx;
    /* The point map's fixed point at θ*: not the variational one (SPEC §10). */
    return s->have_ref && a->ops->fixed_point && a->ops->contribution &&
           a->expect.kind == FC_EXPECT_POINT && a->family->prec_len(&a->fd) == 0 &&
           s->env->cfg->algorithm.participation >= 1.0 &&
           a->K * fc_client_state_len(a) <= RADIUS_MAX_DOUBLES;
}

/* Put every client's state, rebuild the server's from their sums. */
static int put_state(server_t *s, const double *state)
{
    const fc_algo_ctx_t *a = s->ctx;
    int err = fc_srv_call(s, FC_CMD_STATE_PUT, FC_SLOT_MAIN, 0, 0, 0, state, 0, NULL);
    if (!err) err = fc_srv_call(s, FC_CMD_SUM, FC_SLOT_MAIN, 0, 0, 0, NULL, 0, s->result);
    if (!err) err = a->ops->apply(a, s->g, s->result, NULL);
    return err;
}

/* y = T(state): one round from state. */
static int map(server_t *s, const double *state, double *y)
{
    int err = put_state(s, state);
    if (!err) err = fc_server_round(s, 1);
    if (!err) err = fc_srv_call(s, FC_CMD_STATE_GET, FC_SLOT_MAIN, 0, 0, 0, NULL, 0, y);
    return err;
}

static double max_abs(size_t n, const double *x)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(x[i]));
    return m;
}

/* out = J v by a forward difference of the map at s0 (t0 = T(s0)); v has unit norm. */
static int jacobian_vector(server_t *s, size_t n, const double *s0, const double *t0, double eps,
                           const double *v, double *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = s0[i] + eps * v[i];
    int err = map(s, out, out);
    for (size_t i = 0; !err && i < n; i++)
        out[i] = (out[i] - t0[i]) / eps;
    return err;
}

/* Arnoldi on J (modified Gram-Schmidt): V holds m+1 orthonormal n-vectors, Hs the (m+1)×m
 * upper Hessenberg matrix with J V_m = V_{m+1} Hs; *m_out < m when the Krylov space is
 * invariant (then the Ritz values are exact eigenvalues). */
static int arnoldi(server_t *s, size_t n, const double *s0, const double *t0, double eps, size_t m,
                   double *V, double *Hs, size_t *m_out)
{
    int err = FC_OK;
    size_t j;
    for (j = 0; j < m; j++) {
        double *w = V + (j + 1) * n;
        err = jacobian_vector(s, n, s0, t0, eps, V + j * n, w);
        if (err) break;
        for (size_t i = 0; i <= j; i++) {
            double hij = fc_dot(n, V + i * n, w);
            Hs[i * m + j] = hij;
            fc_axpy(n, -hij, V + i * n, w);
        }
        double h = fc_nrm2(n, w);
        Hs[(j + 1) * m + j] = h;
        if (!(h > 1e-12)) { /* invariant subspace */
            j++;
            break;
        }
        fc_scal(n, 1.0 / h, w);
    }
    *m_out = j;
    return err;
}

int fc_srv_radius(server_t *s, double *radius)
{
    const fc_algo_ctx_t *a = s->ctx;
    size_t n = a->K * fc_client_state_len(a), m = n < RADIUS_KRYLOV ? n : RADIUS_KRYLOV, mm = 0;
    double *s0 = NULL, *t0 = NULL, *V = NULL, *Hs = NULL, *Hm = NULL;
    int err;
    fc_rng_t r;
    *radius = NAN;
    FC_CALL(fc_alloc(n, sizeof(double), &s0));
    FC_CALL(fc_alloc(n, sizeof(double), &t0));
    FC_CALL(fc_alloc((m + 1) * n, sizeof(double), &V));
    FC_CALL(fc_calloc((m + 1) * m, sizeof(double), &Hs));
    FC_CALL(fc_calloc(m * m, sizeof(double), &Hm));
    /* The fixed point at θ*, and the map's value there (≈ itself). */
    FC_CALL(
        fc_srv_call(s, FC_CMD_FIXED_POINT, FC_SLOT_MAIN, 0, 0, 0, s->theta_star, s->d, s->result));
    FC_CALL(fc_srv_call(s, FC_CMD_STATE_GET, FC_SLOT_MAIN, 0, 0, 0, NULL, 0, s0));
    FC_CALL(map(s, s0, t0));
    double eps = RADIUS_EPS * fmax(1.0, max_abs(n, s0));
    fc_rng_seed(&r, s->env->cfg->run.seed, 0x726164697573ULL, 0); /* "radius" */
    for (size_t i = 0; i < n; i++)
        V[i] = fc_rng_normal(&r);
    fc_scal(n, 1.0 / fc_nrm2(n, V), V);
    FC_CALL(arnoldi(s, n, s0, t0, eps, m, V, Hs, &mm));
    /* The largest Ritz value's modulus: the leading mm×mm block of Hs. */
    for (size_t i = 0; i < mm; i++)
        for (size_t j = 0; j < mm; j++)
            Hm[i * mm + j] = Hs[i * m + j];
    FC_CALL(fc_eig_max_modulus(mm, Hm, radius));
cleanup:
    fc_free(&s0);
    fc_free(&t0);
    fc_free(&V);
    fc_free(&Hs);
    fc_free(&Hm);
    return err;
}
