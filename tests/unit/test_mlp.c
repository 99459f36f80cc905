/* test_mlp.c — the mlp model (SPEC §8) against independent computations: the loss against a
 * plain per-example forward pass written here, the gradient against central finite
 * differences of the loss, the Gauss–Newton matrix (full, diagonal, products) against
 * Jᵀ Λ J built from a finite-difference Jacobian of this file's own logits, the Monte Carlo
 * Fisher diagonal against the exact one as the samples grow, the Glorot prior mean, the
 * keys; and the algorithms on it (central, fpc full/diag, pvi reach one point). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_algo.h"
#include "fc_config.h"
#include "fc_error.h"
#include "fc_la.h"
#include "fc_mem.h"
#include "fc_model.h"
#include "fc_rng.h"
#include "fc_testjob.h"
#include "fc_testutil.h"

#define OK(x) ck_assert_msg((x) == FC_OK, "%s", fc_err_msg())

enum { P_RAW = 5, N_CLASS = 3, N_EX = 1030 /* more than one chunk of 1024 rows */ };

static void note(const char *what, int i, double err)
{
    if (fc_test_verbose()) printf("mlp case %d: %-28s rel err %.3g\n", i, what, err);
}

/* The [model] keys a test sets, for the row's setup. */
typedef struct {
    const char *hidden, *activation, *curvature;
} keys_t;

static const char *key_value(const char *key, const void *ctx)
{
    const keys_t *k = ctx;
    if (strcmp(key, "hidden") == 0) return k->hidden;
    if (strcmp(key, "activation") == 0) return k->activation;
    if (strcmp(key, "curvature") == 0) return k->curvature;
    return NULL;
}

/* Case i of the loop tests: bit 0 relu, bit 1 two hidden layers, bit 2 a bias column. */
static void net_make(fc_model_t *m, int i, const char *curvature)
{
    keys_t k = {(i & 2) ? "4,3" : "6", (i & 1) ? "relu" : "tanh", curvature};
    int bias = (i & 4) != 0;
    OK(fc_model_init(m, fc_model_find("mlp"), P_RAW + (size_t)bias, N_CLASS, 1.0));
    m->bias_column = bias;
    m->seed = 77;
    OK(m->ops->setup(m, key_value, &k));
}

/* The test's own network: widths and θ layout of SPEC §8 (layer by layer: W row-major
 * inputs × outputs, then b), evaluated one example at a time with plain loops. */
typedef struct {
    size_t L, w[4];
    int relu;
} plain_t;

static plain_t plain_of(int i)
{
    plain_t n = {(i & 2) ? 2 : 1, {P_RAW, 0, 0, 0}, i & 1};
    if (i & 2)
        n.w[1] = 4, n.w[2] = 3, n.w[3] = N_CLASS;
    else
        n.w[1] = 6, n.w[2] = N_CLASS;
    return n;
}

static size_t plain_d(const plain_t *n)
{
    size_t d = 0;
    for (size_t l = 1; l <= n->L + 1; l++)
        d += (n->w[l - 1] + 1) * n->w[l];
    return d;
}

/* logits (C) of input x (P_RAW values) at theta. */
static void plain_logits(const plain_t *n, const double *theta, const double *x, double *z)
{
    double a[16], b[16];
    size_t off = 0;
    memcpy(a, x, P_RAW * sizeof(double));
    for (size_t l = 1; l <= n->L + 1; l++) {
        size_t wi = n->w[l - 1], wo = n->w[l];
        for (size_t o = 0; o < wo; o++) {
            double s = theta[off + wi * wo + o];
            for (size_t j = 0; j < wi; j++)
                s += a[j] * theta[off + j * wo + o];
            if (l <= n->L) s = n->relu ? (s > 0 ? s : 0) : tanh(s);
            b[o] = s;
        }
        off += (wi + 1) * wo;
        memcpy(a, b, wo * sizeof(double));
    }
    memcpy(z, a, N_CLASS * sizeof(double));
}

typedef struct {
    fc_model_t m;
    plain_t net;
    size_t n, p;
    double *X, *y, *theta, *work;
} problem_t;

static void problem_make(problem_t *pb, int i, const char *curvature, size_t n)
{
    fc_rng_t r;
    net_make(&pb->m, i, curvature);
    pb->net = plain_of(i);
    ck_assert_uint_eq(pb->m.d, plain_d(&pb->net));
    pb->n = n;
    pb->p = pb->m.p;
    pb->X = fc_test_dalloc(n * pb->p);
    pb->y = fc_test_dalloc(n);
    pb->theta = fc_test_dalloc(pb->m.d);
    pb->work = fc_test_dalloc(pb->m.ops->work_size(&pb->m, n));
    fc_rng_seed(&r, 4242, (uint64_t)i, 0);
    fc_test_randn(&r, n * pb->p, 1.0, pb->X);
    for (size_t e = 0; e < n; e++) {
        if (pb->m.bias_column) pb->X[e * pb->p + pb->p - 1] = 1.0;
        pb->y[e] = (double)fc_rng_below(&r, N_CLASS);
    }
    fc_test_randn(&r, pb->m.d, 0.7, pb->theta);
}

static void problem_free(problem_t *pb)
{
    fc_free(&pb->X);
    fc_free(&pb->y);
    fc_free(&pb->theta);
    fc_free(&pb->work);
}

static void eval_at(const problem_t *pb, const double *theta, double *loss, double *grad,
                    double *hess, double *hdiag)
{
    pb->m.ops->eval(&pb->m, pb->X, pb->y, pb->n, theta, loss, grad, hess, hdiag, pb->work);
}

/* Σ_i logsumexp(z_i) − z_{i,y_i} from plain_logits. */
static double plain_loss(const problem_t *pb, const double *theta)
{
    double s = 0.0, z[N_CLASS];
    for (size_t e = 0; e < pb->n; e++) {
        plain_logits(&pb->net, theta, pb->X + e * pb->p, z);
        double mx = fmax(z[0], fmax(z[1], z[2])), t = 0.0;
        for (int c = 0; c < N_CLASS; c++)
            t += exp(z[c] - mx);
        s += mx + log(t) - z[(size_t)pb->y[e]];
    }
    return s;
}

/* G = Σ_i J_iᵀ Λ_i J_i with J_i (C × d) by central differences of plain_logits and
 * Λ_i = diag(p_i) − p_i p_iᵀ from the softmax of the plain logits. */
static void fd_ggn(const problem_t *pb, double *G)
{
    const size_t d = pb->m.d, C = N_CLASS;
    const double h = 1e-5;
    double *J = fc_test_dalloc(C * d), *t = fc_test_dalloc(d), zp[N_CLASS], zm[N_CLASS], z[N_CLASS],
           p[N_CLASS];
    memset(G, 0, d * d * sizeof(double));
    for (size_t e = 0; e < pb->n; e++) {
        const double *x = pb->X + e * pb->p;
        memcpy(t, pb->theta, d * sizeof(double));
        for (size_t j = 0; j < d; j++) {
            t[j] = pb->theta[j] + h;
            plain_logits(&pb->net, t, x, zp);
            t[j] = pb->theta[j] - h;
            plain_logits(&pb->net, t, x, zm);
            t[j] = pb->theta[j];
            for (size_t c = 0; c < C; c++)
                J[c * d + j] = (zp[c] - zm[c]) / (2 * h);
        }
        plain_logits(&pb->net, pb->theta, x, z);
        double mx = fmax(z[0], fmax(z[1], z[2])), s = 0.0;
        for (size_t c = 0; c < C; c++)
            s += (p[c] = exp(z[c] - mx));
        for (size_t c = 0; c < C; c++)
            p[c] /= s;
        for (size_t c = 0; c < C; c++)
            for (size_t c2 = 0; c2 < C; c2++) {
                double lam = (c == c2 ? p[c] : 0.0) - p[c] * p[c2];
                for (size_t a = 0; a < d; a++) {
                    double ja = lam * J[c * d + a];
                    for (size_t b = 0; b < d; b++)
                        G[a * d + b] += ja * J[c2 * d + b];
                }
            }
    }
    fc_free(&J);
    fc_free(&t);
}

/* The loss against this file's forward pass; the gradient against central differences. */
START_TEST(gradient_matches_finite_differences)
{
    problem_t pb;
    problem_make(&pb, _i, "ggn", N_EX);
    const size_t d = pb.m.d;
    double loss, *g = fc_test_dalloc(d), *fd = fc_test_dalloc(d), *t = fc_test_dalloc(d);
    eval_at(&pb, pb.theta, &loss, g, NULL, NULL);
    double want = plain_loss(&pb, pb.theta);
    ck_assert_double_lt(fabs(loss - want) / fabs(want), 1e-12);
    memcpy(t, pb.theta, d * sizeof(double));
    for (size_t j = 0; j < d; j++) {
        const double h = 1e-5;
        double fp, fm;
        t[j] = pb.theta[j] + h;
        eval_at(&pb, t, &fp, NULL, NULL, NULL);
        t[j] = pb.theta[j] - h;
        eval_at(&pb, t, &fm, NULL, NULL, NULL);
        t[j] = pb.theta[j];
        fd[j] = (fp - fm) / (2 * h);
    }
    double err = fc_test_relerr(d, g, fd);
    note("gradient vs differences", _i, err);
    ck_assert_double_lt(err, 1e-6);
    fc_free(&g), fc_free(&fd), fc_free(&t);
    problem_free(&pb);
}
END_TEST

/* Acceptance 1: the full GGN, its diagonal and GGN-vector products against Jᵀ Λ J from a
 * finite-difference Jacobian of the logits. */
START_TEST(ggn_matches_finite_difference_jacobian)
{
    problem_t pb;
    problem_make(&pb, _i, "ggn", N_EX);
    const size_t d = pb.m.d;
    double loss, *G = fc_test_dalloc(d * d), *H = fc_test_dalloc(d * d), *hd = fc_test_dalloc(d),
                 *want_d = fc_test_dalloc(d);
    double *v = fc_test_dalloc(d), *Hv = fc_test_dalloc(d), *want_v = fc_test_dalloc(d);
    fc_rng_t r;
    fd_ggn(&pb, G);
    eval_at(&pb, pb.theta, &loss, NULL, H, hd);
    double err_full = fc_test_relerr(d * d, H, G);
    for (size_t j = 0; j < d; j++)
        want_d[j] = G[j * d + j];
    double err_diag = fc_test_relerr(d, hd, want_d);
    fc_rng_seed(&r, 5, (uint64_t)_i, 0);
    fc_test_randn(&r, d, 1.0, v);
    pb.m.ops->hvp(&pb.m, pb.X, pb.y, pb.n, pb.theta, v, Hv, pb.work);
    for (size_t a = 0; a < d; a++) {
        want_v[a] = 0.0;
        for (size_t b = 0; b < d; b++)
            want_v[a] += G[a * d + b] * v[b];
    }
    double err_v = fc_test_relerr(d, Hv, want_v);
    note("GGN full vs J^T Lambda J", _i, err_full);
    note("GGN diagonal", _i, err_diag);
    note("GGN-vector product", _i, err_v);
    ck_assert_double_lt(err_full, 1e-6);
    ck_assert_double_lt(err_diag, 1e-6);
    ck_assert_double_lt(err_v, 1e-6);
    /* The symmetric PSD matrix the Newton systems need: exactly symmetric, Cholesky of
     * G + 1e-8 I succeeds. */
    for (size_t a = 0; a < d; a++)
        for (size_t b = 0; b < a; b++)
            ck_assert(H[a * d + b] == H[b * d + a]);
    for (size_t a = 0; a < d; a++)
        H[a * d + a] += 1e-8;
    OK(fc_chol(d, H, "GGN"));
    fc_free(&G), fc_free(&H), fc_free(&hd), fc_free(&want_d), fc_free(&v), fc_free(&Hv);
    fc_free(&want_v);
    problem_free(&pb);
}
END_TEST

/* The lowrank family's block products: out = G V for s directions at once equals G v one
 * column at a time (checked against the finite-difference GGN above). */
START_TEST(block_products_match_column_products)
{
    problem_t pb;
    problem_make(&pb, _i, "ggn", N_EX);
    const size_t d = pb.m.d;
    static const size_t S[] = {1, 3, 7};
    fc_rng_t r;
    fc_rng_seed(&r, 6, (uint64_t)_i, 0);
    for (size_t k = 0; k < 3; k++) {
        size_t s = S[k];
        double *V = fc_test_dalloc(d * s), *out = fc_test_dalloc(d * s), *v = fc_test_dalloc(d),
               *col = fc_test_dalloc(d);
        double *want = fc_test_dalloc(d * s),
               *bw = fc_test_dalloc(pb.m.ops->hvp_block_work(&pb.m, pb.n, s));
        fc_test_randn(&r, d * s, 1.0, V);
        pb.m.ops->hvp_block(&pb.m, pb.X, pb.y, pb.n, pb.theta, s, V, out, bw);
        for (size_t t = 0; t < s; t++) {
            for (size_t j = 0; j < d; j++)
                v[j] = V[j * s + t];
            pb.m.ops->hvp(&pb.m, pb.X, pb.y, pb.n, pb.theta, v, col, pb.work);
            for (size_t j = 0; j < d; j++)
                want[j * s + t] = col[j];
        }
        double err = fc_test_relerr(d * s, out, want);
        note("block product vs columns", _i, err);
        ck_assert_double_lt(err, 1e-12);
        fc_free(&V), fc_free(&out), fc_free(&v), fc_free(&col), fc_free(&want), fc_free(&bw);
    }
    problem_free(&pb);
}
END_TEST

/* Outputs are overwritten, not accumulated, and asking for one output does not change
 * another (the Fisher draws included: same θ and block, same diagonal). */
START_TEST(outputs_overwrite_and_are_reproducible)
{
    problem_t pb;
    problem_make(&pb, _i, _i & 1 ? "fisher_mc" : "ggn", 200);
    const size_t d = pb.m.d;
    double l1, l2, *g1 = fc_test_dalloc(d), *g2 = fc_test_dalloc(d), *h1 = fc_test_dalloc(d),
                   *h2 = fc_test_dalloc(d);
    eval_at(&pb, pb.theta, &l1, g1, NULL, h1);
    for (size_t j = 0; j < d; j++)
        g2[j] = h2[j] = 1e3;
    eval_at(&pb, pb.theta, &l2, g2, NULL, h2);
    ck_assert(l1 == l2);
    ck_assert(memcmp(g1, g2, d * sizeof(double)) == 0);
    ck_assert(memcmp(h1, h2, d * sizeof(double)) == 0);
    eval_at(&pb, pb.theta, &l2, NULL, NULL, h2);
    ck_assert(memcmp(h1, h2, d * sizeof(double)) == 0);
    fc_free(&g1), fc_free(&g2), fc_free(&h1), fc_free(&h2);
    problem_free(&pb);
}
END_TEST

/* ‖mean of S seeds' Fisher diagonals − the exact diagonal‖ / ‖exact‖, seeds from first. */
static double fisher_error(problem_t *pb, const double *exact, int S, uint64_t first)
{
    const size_t d = pb->m.d;
    double loss, *acc = fc_test_dalloc(d), *one = fc_test_dalloc(d), e = 0.0, nrm = 0.0;
    for (int s = 0; s < S; s++) {
        pb->m.seed = first + (uint64_t)s;
        eval_at(pb, pb->theta, &loss, NULL, NULL, one);
        fc_axpy(d, 1.0 / S, one, acc);
    }
    for (size_t j = 0; j < d; j++) {
        e += (acc[j] - exact[j]) * (acc[j] - exact[j]);
        nrm += exact[j] * exact[j];
    }
    fc_free(&acc), fc_free(&one);
    return sqrt(e / nrm);
}

/* Acceptance 2: the one-sample Monte Carlo Fisher diagonal has the exact GGN diagonal as
 * its mean (E[(p − e_ŷ)(p − e_ŷ)ᵀ] = Λ): the error of an S-seed average shrinks like
 * 1/√S — 16× the seeds, about a quarter of the error. */
START_TEST(fisher_diagonal_approaches_exact_diagonal)
{
    problem_t pb, ex;
    problem_make(&pb, _i, "fisher_mc", 100);
    problem_make(&ex, _i, "ggn", 100);
    const size_t d = pb.m.d;
    double loss, *exact = fc_test_dalloc(d);
    eval_at(&ex, ex.theta, &loss, NULL, NULL, exact);
    double e1 = fisher_error(&pb, exact, 100, 1000), e2 = fisher_error(&pb, exact, 1600, 5000);
    if (fc_test_verbose())
        printf("mlp case %d: Fisher error S=100 %.3g, S=1600 %.3g\n", _i, e1, e2);
    ck_assert_double_gt(e1 / e2, 2.5);
    ck_assert_double_lt(e1 / e2, 6.5);
    ck_assert_double_lt(e2, 0.05);
    fc_free(&exact);
    problem_free(&pb);
    problem_free(&ex);
}
END_TEST

/* Predictions: the first argmax of this file's logits. */
START_TEST(correct_matches_plain_count)
{
    problem_t pb;
    problem_make(&pb, _i, "ggn", N_EX);
    size_t want = 0;
    double z[N_CLASS];
    for (size_t e = 0; e < pb.n; e++) {
        plain_logits(&pb.net, pb.theta, pb.X + e * pb.p, z);
        size_t k = 0;
        for (size_t c = 1; c < N_CLASS; c++)
            if (z[c] > z[k]) k = c;
        want += k == (size_t)pb.y[e];
    }
    ck_assert_uint_eq(pb.m.ops->correct(&pb.m, pb.X, pb.y, pb.n, pb.theta, pb.work), want);
    problem_free(&pb);
}
END_TEST

/* SPEC §8's prior mean: Glorot-normal weights (variance 2/(fan_in + fan_out)), zero biases,
 * a function of the seed alone. */
START_TEST(prior_mean_is_seeded_glorot)
{
    fc_model_t m;
    keys_t k = {"300,200", "tanh", "ggn"};
    OK(fc_model_init(&m, fc_model_find("mlp"), 400, 10, 1.0));
    OK(m.ops->setup(&m, key_value, &k));
    ck_assert_uint_eq(m.d, 401 * 300 + 301 * 200 + 201 * 10);
    double *a = fc_test_dalloc(m.d), *b = fc_test_dalloc(m.d), *c = fc_test_dalloc(m.d);
    m.ops->init_mean(&m, 9, a);
    m.ops->init_mean(&m, 9, b);
    m.ops->init_mean(&m, 10, c);
    ck_assert(memcmp(a, b, m.d * sizeof(double)) == 0);
    ck_assert(memcmp(a, c, m.d * sizeof(double)) != 0);
    const size_t fan[4] = {400, 300, 200, 10};
    size_t off = 0;
    for (int l = 1; l <= 3; l++) {
        size_t nw = fan[l - 1] * fan[l];
        double s = 0.0, s2 = 0.0, want = 2.0 / (double)(fan[l - 1] + fan[l]);
        for (size_t t = 0; t < nw; t++)
            s += a[off + t], s2 += a[off + t] * a[off + t];
        /* The sample variance of nw normals is within 5 standard errors (√(2/nw)). */
        ck_assert_double_lt(fabs(s2 / nw / want - 1.0), 5.0 * sqrt(2.0 / nw));
        ck_assert_double_lt(fabs(s / nw), 5.0 * sqrt(want / nw));
        for (size_t o = 0; o < fan[l]; o++)
            ck_assert(a[off + nw + o] == 0.0);
        off += nw + fan[l];
    }
    fc_free(&a), fc_free(&b), fc_free(&c);
}
END_TEST

/* The keys' checks (the config reports them with file, line and key: test_mlp.sh). */
START_TEST(keys_reject_bad_values)
{
    static const char *const bad_hidden[] = {"", "0", "-3", "64,32,16", "64,", ",", "a", "1.5"};
    static const char *const good_hidden[] = {"64", "128,64", "1"};
    const fc_model_ops_t *ops = fc_model_find("mlp");
    char why[256];
    ck_assert_ptr_nonnull(ops);
    const fc_model_key_t *h = fc_model_key_find(ops, "hidden");
    const fc_model_key_t *act = fc_model_key_find(ops, "activation");
    const fc_model_key_t *cur = fc_model_key_find(ops, "curvature");
    ck_assert_ptr_nonnull(h);
    ck_assert_ptr_nonnull(act);
    ck_assert_ptr_nonnull(cur);
    for (size_t i = 0; i < sizeof bad_hidden / sizeof *bad_hidden; i++)
        ck_assert_msg(h->check(bad_hidden[i], why, sizeof why) != 0, "'%s'", bad_hidden[i]);
    for (size_t i = 0; i < sizeof good_hidden / sizeof *good_hidden; i++)
        ck_assert_int_eq(h->check(good_hidden[i], why, sizeof why), 0);
    ck_assert_int_ne(act->check("sigmoid", why, sizeof why), 0);
    ck_assert_ptr_nonnull(strstr(why, "sigmoid"));
    ck_assert_int_eq(act->check("relu", why, sizeof why), 0);
    ck_assert_int_ne(cur->check("hessian", why, sizeof why), 0);
    ck_assert_int_eq(cur->check("fisher_mc", why, sizeof why), 0);
}
END_TEST

/* ------------------------------------------------ the algorithms on mlp (acceptance 3) -- */

enum { AK = 3, AN = 40, AP = 3 };

static void algo_config(fc_config_t *c, const char *name, const char *family, double alpha)
{
    fc_config_defaults(c);
    snprintf(c->model.type, sizeof c->model.type, "mlp");
    OK(fc_config_set(c, "model.hidden=4"));
    OK(fc_config_set(c, "model.activation=tanh"));
    c->model.bias = 0;
    c->model.prior_precision = 50.0; /* strong: the minimum near μ₀ is the one all find */
    c->partition.clients = AK;
    c->run.reference = 0;
    snprintf(c->algorithm.name, sizeof c->algorithm.name, "%s", name);
    snprintf(c->algorithm.family, sizeof c->algorithm.family, "%s", family);
    c->algorithm.damping = alpha;
    c->algorithm.local_tol = 1e-13;
}

/* Heterogeneous blocks with softmax labels (3 classes) of AP features, no bias column. */
static void algo_blocks(fc_data_t **b)
{
    fc_model_t gen;
    OK(fc_model_init(&gen, fc_model_find("softmax"), AP, N_CLASS, 1.0));
    fc_test_blocks(&gen, AK, AN, AP, 0, 1.0, 31, b);
}

/* Rounds of config c until the mean is within tol of star (or max rounds); the distance. */
static double run_to(const fc_config_t *c, fc_data_t **b, const double *star, int max, int *took)
{
    fc_testjob_t t;
    fc_testjob_init(&t, c, b, N_CLASS);
    const size_t d = fc_testjob_ctx(&t)->d;
    double *diff = fc_test_dalloc(d), dist = INFINITY;
    int r = 1;
    for (; r <= max; r++) {
        OK(fc_testjob_round(&t, r));
        fc_copy(d, fc_testjob_mean(&t), diff);
        fc_axpy(d, -1.0, star, diff);
        dist = fc_nrm2(d, diff);
        if (dist < 1e-8) break;
    }
    *took = r;
    fc_free(&diff);
    fc_testjob_free(&t);
    return dist;
}

/* Acceptance 3: central (Gauss–Newton with Armijo on F) reaches ‖∇F‖ ≤ 1e-8‖∇F(μ₀)‖ from
 * μ₀; fpc-full with α = 1, pvi and fpc-diag with damping reach that point from the same μ₀.
 * That ∇F vanishes there is checked independently: by central differences of F built from
 * the model's loss on each block and the prior around μ₀. */
START_TEST(algorithms_reach_the_central_point)
{
    fc_config_t c;
    fc_data_t *b[AK];
    fc_testjob_t t;
    algo_blocks(b);
    algo_config(&c, "central", "full", 1.0);
    fc_testjob_init(&t, &c, b, N_CLASS);
    const fc_algo_ctx_t *a = fc_testjob_ctx(&t);
    const size_t d = a->d;
    ck_assert_ptr_nonnull(a->mu0);
    ck_assert_double_gt(fc_nrm2(d, a->mu0), 0.1); /* Glorot, not zero */
    double g0 = fc_testjob_grad_norm(&t), g = g0;
    int r = 1;
    for (; r <= 60 && g > 1e-9 * g0; r++) {
        OK(fc_testjob_round(&t, r));
        g = fc_testjob_grad_norm(&t);
    }
    if (fc_test_verbose())
        printf("mlp central: |grad F| %.3g -> %.3g in %d rounds\n", g0, g, r - 1);
    ck_assert_double_le(g, 1e-8 * g0);
    double *star = fc_test_dalloc(d), *mu0 = fc_test_dalloc(d), *th = fc_test_dalloc(d);
    fc_copy(d, fc_testjob_mean(&t), star);
    fc_copy(d, a->mu0, mu0);
    /* F by the model's loss alone, differenced: ∇F(θ*) ≈ 0 relative to ∇F(μ₀). */
    fc_model_t m = *a->model;
    double *work = fc_test_dalloc(m.ops->work_size(&m, AN));
    double fd_star = 0.0, fd_mu = 0.0;
    for (int at = 0; at < 2; at++) {
        const double *x = at ? mu0 : star;
        double s2 = 0.0;
        fc_copy(d, x, th);
        for (size_t j = 0; j < d; j++) {
            double F[2], h = 1e-5;
            for (int sgn = 0; sgn < 2; sgn++) {
                th[j] = x[j] + (sgn ? -h : h);
                double f = 0.0;
                for (size_t k = 0; k < AK; k++) {
                    double lk;
                    m.ops->eval(&m, b[k]->X, b[k]->y, b[k]->n, th, &lk, NULL, NULL, NULL, work);
                    f += lk;
                }
                for (size_t i = 0; i < d; i++)
                    f += 0.5 * c.model.prior_precision * (th[i] - mu0[i]) * (th[i] - mu0[i]);
                F[sgn] = f;
            }
            th[j] = x[j];
            double gj = (F[0] - F[1]) / (2 * h);
            s2 += gj * gj;
        }
        if (at)
            fd_mu = sqrt(s2);
        else
            fd_star = sqrt(s2);
    }
    ck_assert_double_lt(fd_star, 1e-6 * fd_mu);
    fc_testjob_free(&t);

    struct {
        const char *name, *family;
        double alpha;
        int rounds;
    } runs[] = {{"fpc", "full", 1.0, 60}, {"pvi", "full", 1.0, 200}, {"fpc", "diag", 0.5, 400}};
    for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
        int took;
        algo_config(&c, runs[i].name, runs[i].family, runs[i].alpha);
        double dist = run_to(&c, b, star, runs[i].rounds, &took);
        if (fc_test_verbose())
            printf("mlp %s-%s alpha %g: distance to central %.3g after %d rounds\n", runs[i].name,
                   runs[i].family, runs[i].alpha, dist, took);
        ck_assert_msg(dist < 1e-6, "%s-%s: distance %g", runs[i].name, runs[i].family, dist);
    }
    fc_free(&star), fc_free(&mu0), fc_free(&th), fc_free(&work);
    for (size_t k = 0; k < AK; k++)
        fc_data_destroy(&b[k]);
}
END_TEST

static Suite *mlp_suite(void)
{
    Suite *s = suite_create("mlp");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, gradient_matches_finite_differences, 0, 8);
    tcase_add_loop_test(tc, ggn_matches_finite_difference_jacobian, 0, 8);
    tcase_add_loop_test(tc, block_products_match_column_products, 0, 8);
    tcase_add_loop_test(tc, outputs_overwrite_and_are_reproducible, 0, 8);
    tcase_add_loop_test(tc, fisher_diagonal_approaches_exact_diagonal, 0, 4);
    tcase_add_loop_test(tc, correct_matches_plain_count, 0, 8);
    tcase_add_test(tc, prior_mean_is_seeded_glorot);
    tcase_add_test(tc, keys_reject_bad_values);
    suite_add_tcase(s, tc);
    TCase *ta = tcase_create("algorithms");
    tcase_set_timeout(ta, 300);
    tcase_add_test(ta, algorithms_reach_the_central_point);
    suite_add_tcase(s, ta);
    return s;
}

int main(void)
{
    return fc_test_run(mlp_suite());
}
