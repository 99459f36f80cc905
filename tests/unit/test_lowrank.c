/* test_lowrank.c — the lowrank family (SPEC §12) against independent dense computations:
 * exactness where the family can be exact, r = d against full and r = 0 against diag,
 * eigenpairs against LAPACK's dsyevr, PSD sites through damping, Woodbury solves, the
 * compressed server state and the cavities against dense matrices, the memory pre-flight. */
#include <check.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_algo.h"
#include "fc_config.h"
#include "fc_family.h"
#include "fc_la.h"
#include "fc_lowrank.h"
#include "fc_mem.h"
#include "fc_testjob.h"
#include "fc_testutil.h"

#define OK(x) ck_assert_int_eq((x), FC_OK)
#define MAXK 16
#define HDR 4 /* the family's header doubles (fc_family_lowrank.c's layouts) */

static void config_for(fc_config_t *c, const fc_model_t *m, size_t K, const char *name,
                       const char *fam, int rank, int server_rank, double delta, double alpha)
{
    fc_config_defaults(c);
    snprintf(c->model.type, sizeof c->model.type, "%s", m->ops->name);
    c->model.noise_precision = m->beta > 0 ? m->beta : 1.0;
    c->partition.clients = (int)K;
    c->run.reference = 0;
    snprintf(c->algorithm.name, sizeof c->algorithm.name, "%s", name);
    snprintf(c->algorithm.family, sizeof c->algorithm.family, "%s", fam);
    c->algorithm.rank = rank;
    c->algorithm.server_rank = server_rank;
    c->model.prior_precision = delta;
    c->algorithm.damping = alpha;
}

static void free_blocks(fc_data_t **b, size_t K)
{
    for (size_t k = 0; k < K; k++)
        fc_data_destroy(&b[k]);
}

/* Dense symmetric eigendecomposition by LAPACK's dsyevr (ascending): the independent
 * reference. A is destroyed. */
static void dense_eig(size_t n, double *A, double *w, double *Z)
{
    lapack_int found = 0, *isuppz = malloc(2 * n * sizeof *isuppz);
    ck_assert_ptr_nonnull(isuppz);
    lapack_int info =
        LAPACKE_dsyevr(LAPACK_ROW_MAJOR, 'V', 'A', 'L', (lapack_int)n, A, (lapack_int)n, 0, 0, 0, 0,
                       0.0, &found, w, Z, (lapack_int)n, isuppz);
    ck_assert_int_eq(info, 0);
    free(isuppz);
}

/* out (d×d) = diag(D) + sign·Z Zᵀ (+ out when add), Z d×n. */
static void dense_lowrank(size_t d, const double *D, size_t n, const double *Z, double sign,
                          int add, double *out)
{
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) {
            double s = add ? out[i * d + j] : 0.0;
            if (D && i == j) s += D[i];
            for (size_t c = 0; c < n; c++)
                s += sign * Z[i * n + c] * Z[j * n + c];
            out[i * d + j] = s;
        }
}

/* The smallest eigenvalue over the largest modulus of a symmetric d×d matrix (copied). */
static double min_eig_ratio(size_t d, const double *A)
{
    double *B = fc_test_dalloc(d * d), *w = fc_test_dalloc(d), *Z = fc_test_dalloc(d * d);
    memcpy(B, A, d * d * sizeof *B);
    dense_eig(d, B, w, Z);
    double r = w[0] / fmax(fabs(w[d - 1]), fmax(fabs(w[0]), 1e-300));
    free(B), free(w), free(Z);
    return r;
}

/* The posterior mean of linear data, (δI + βΣXᵀX)⁻¹ βΣXᵀy, by a dense solve. */
static void linear_posterior(size_t p, size_t K, fc_data_t *const *b, double delta, double beta,
                             double *mean)
{
    double *A = fc_test_dalloc(p * p);
    memset(mean, 0, p * sizeof *mean);
    for (size_t i = 0; i < p; i++)
        A[i * p + i] = delta;
    for (size_t k = 0; k < K; k++)
        for (size_t e = 0; e < b[k]->n; e++) {
            const double *x = b[k]->X + e * p;
            for (size_t i = 0; i < p; i++) {
                mean[i] += beta * x[i] * b[k]->y[e];
                for (size_t j = 0; j < p; j++)
                    A[i * p + j] += beta * x[i] * x[j];
            }
        }
    fc_test_gauss_solve(p, A, mean);
    free(A);
}

/* Acceptance 1: linear data with every N_k ≤ r, α = 1: exact after one round, K = 1, 3, 7,
 * with the exact stack (_i < 3) and with the server state compressed to rank r. */
START_TEST(linear_exact_after_one_round)
{
    static const size_t Ks[] = {1, 3, 7};
    const size_t K = Ks[_i % 3], p_raw = 7, p = 8, n = 4, r = 5;
    const double delta = 0.7, beta = 2.5;
    fc_model_t m;
    fc_config_t c;
    fc_data_t *b[MAXK];
    fc_testjob_t s;
    double mean[8];
    OK(fc_model_init(&m, fc_model_find("linear"), p, 1, beta));
    fc_test_blocks(&m, K, n, p_raw, 1, 0.5, 31 + K, b);
    linear_posterior(p, K, b, delta, beta, mean);
    config_for(&c, &m, K, "fpc", "lowrank", (int)r, _i < 3 ? 0 : (int)r, delta, 1.0);
    fc_testjob_init(&s, &c, b, 0);
    OK(fc_testjob_round(&s, 1));
    double err = fc_test_relerr(p, fc_testjob_mean(&s), mean);
    if (fc_test_verbose())
        printf("lowrank linear exact K=%zu compressed=%d: rel err %.3e\n", K, _i >= 3, err);
    ck_assert_double_lt(err, 1e-9);
    fc_testjob_free(&s);
    free_blocks(b, K);
}
END_TEST

/* Two runs on the same blocks, their means compared every round for 10 rounds. */
static double worst_difference(const fc_config_t *c1, const fc_config_t *c2, fc_data_t **b,
                               size_t d, int classes)
{
    fc_testjob_t s1, s2;
    double worst = 0.0;
    fc_testjob_init(&s1, c1, b, classes);
    fc_testjob_init(&s2, c2, b, classes);
    for (int t = 1; t <= 10; t++) {
        OK(fc_testjob_round(&s1, t));
        OK(fc_testjob_round(&s2, t));
        worst = fmax(worst, fc_test_relerr(d, fc_testjob_mean(&s1), fc_testjob_mean(&s2)));
    }
    ck_assert_double_gt(fc_nrm2(d, fc_testjob_mean(&s1)), 0.1); /* it moved */
    fc_testjob_free(&s1);
    fc_testjob_free(&s2);
    return worst;
}

/* Acceptance 2: r = d gives full's iterates (fpc and pvi, damped, so the rank-r
 * recompression of damping is exercised), and r = 0 gives diag's. r = 0 is bad input in a
 * config (acceptance 7); the in-process job here skips the config's checks, so the
 * equivalence is tested through the family itself. */
START_TEST(rank_d_equals_full_rank_zero_equals_diag)
{
    const char *name = _i == 0 ? "fpc" : "pvi";
    const size_t K = 3, p_raw = 5, p = 6, n = 30;
    fc_model_t m;
    fc_config_t c1, c2;
    fc_data_t *b[MAXK];
    OK(fc_model_init(&m, fc_model_find("logistic"), p, 1, 1.0));
    fc_test_blocks(&m, K, n, p_raw, 1, 1.0, 7, b);
    config_for(&c1, &m, K, name, "lowrank", (int)p, 0, 1.0, 0.6);
    config_for(&c2, &m, K, name, "full", 0, 0, 1.0, 0.6);
    double wf = worst_difference(&c1, &c2, b, p, 0);
    config_for(&c1, &m, K, name, "lowrank", 0, 0, 1.0, 0.6);
    config_for(&c2, &m, K, name, "diag", 0, 0, 1.0, 0.6);
    double wd = worst_difference(&c1, &c2, b, p, 0);
    if (fc_test_verbose()) printf("%s: r = d vs full %.3e, r = 0 vs diag %.3e\n", name, wf, wd);
    ck_assert_double_lt(wf, 1e-9);
    ck_assert_double_lt(wd, 1e-9);
    free_blocks(b, K);
}
END_TEST

/* Linear data whose curvature βXᵀX has well-separated eigenvalues (columns scaled by 2^-j). */
static fc_data_t *separated_block(size_t n, size_t d, uint64_t seed)
{
    fc_data_t *blk = NULL;
    fc_rng_t rng;
    OK(fc_data_create(n, d, &blk));
    fc_rng_seed(&rng, seed, 0, 0);
    for (size_t e = 0; e < n; e++) {
        for (size_t j = 0; j < d; j++)
            blk->X[e * d + j] = ldexp(fc_rng_normal(&rng), -(int)j);
        blk->y[e] = fc_rng_normal(&rng);
    }
    return blk;
}

/* The family's site at theta for client 0 with the given current site. */
static void site_at(const fc_family_ops_t *f, const fc_family_dims_t *fd, const fc_model_t *m,
                    const fc_data_t *blk, const double *theta, const double *H_old, double *H_new)
{
    size_t d = fd->d;
    double *g = fc_test_dalloc(d), *h = fc_test_dalloc(d);
    double *work = fc_test_dalloc(m->ops->work_size(m, blk->n)),
           *scr = fc_test_dalloc(f->scratch_len(fd, m, blk->n));
    f->curvature(fd, 0, m, blk, theta, H_old, g, H_new, h, work, scr);
    free(g), free(h), free(work), free(scr);
}

/* Acceptance 3: the site's eigenpairs against dsyevr of the dense curvature, and the site
 * PSD with D = diag(curvature) − diag(UUᵀ) ≥ 0. */
START_TEST(eigenpairs_match_dense_dsyevr)
{
    const size_t d = 24, n = 200, r = 4;
    const double beta = 1.5;
    const fc_family_ops_t *f = fc_family_find("lowrank");
    fc_family_dims_t fd = {d, r, 0, 1, 9};
    fc_model_t m;
    OK(fc_model_init(&m, fc_model_find("linear"), d, 1, beta));
    fc_data_t *blk = separated_block(n, d, 3);
    double *theta = fc_test_dalloc(d), *H_old = fc_test_dalloc(f->site_len(&fd)),
           *H = fc_test_dalloc(f->site_len(&fd));
    double *A = fc_test_dalloc(d * d), *w = fc_test_dalloc(d), *Z = fc_test_dalloc(d * d),
           *S = fc_test_dalloc(d * d);
    site_at(f, &fd, &m, blk, theta, H_old, H);
    const double *D = H + 1, *U = H + 1 + d;
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) {
            double s = 0.0;
            for (size_t e = 0; e < n; e++)
                s += beta * blk->X[e * d + i] * blk->X[e * d + j];
            A[i * d + j] = s;
        }
    double diagA[24];
    for (size_t i = 0; i < d; i++)
        diagA[i] = A[i * d + i];
    dense_eig(d, A, w, Z);
    double worst_val = 0.0, worst_vec = 0.0, worst_proj = 0.0;
    for (size_t j = 0; j < r; j++) {
        double lam = w[d - 1 - j], nu = 0.0, dot = 0.0;
        for (size_t i = 0; i < d; i++) {
            nu += U[i * r + j] * U[i * r + j];
            dot += U[i * r + j] * Z[i * d + d - 1 - j];
        }
        worst_val = fmax(worst_val, fabs(nu - lam) / lam);
        worst_vec = fmax(worst_vec, 1.0 - fabs(dot) / sqrt(nu));
    }
    /* U Uᵀ against Σ_top λ q qᵀ (sign-free). */
    for (size_t i = 0; i < d; i++)
        for (size_t k = 0; k < d; k++) {
            double a = 0.0, e = 0.0;
            for (size_t j = 0; j < r; j++) {
                a += U[i * r + j] * U[k * r + j];
                e += w[d - 1 - j] * Z[i * d + d - 1 - j] * Z[k * d + d - 1 - j];
            }
            worst_proj = fmax(worst_proj, fabs(a - e) / w[d - 1]);
        }
    /* D is what the top-r part leaves of the diagonal, clipped at 0. */
    double worst_D = 0.0;
    for (size_t i = 0; i < d; i++) {
        double uu = 0.0;
        for (size_t j = 0; j < r; j++)
            uu += U[i * r + j] * U[i * r + j];
        ck_assert_double_ge(D[i], 0.0);
        worst_D = fmax(worst_D, fabs(D[i] - fmax(diagA[i] - uu, 0.0)) / w[d - 1]);
    }
    dense_lowrank(d, D, r, U, 1.0, 0, S);
    double psd = min_eig_ratio(d, S);
    if (fc_test_verbose())
        printf("eigenpairs: values %.2e vectors %.2e projector %.2e D %.2e, min eig ratio %.2e\n",
               worst_val, worst_vec, worst_proj, worst_D, psd);
    ck_assert_double_lt(worst_val, 1e-8);
    ck_assert_double_lt(worst_vec, 1e-8);
    ck_assert_double_lt(worst_proj, 1e-8);
    ck_assert_double_lt(worst_D, 1e-12);
    ck_assert_double_ge(psd, -1e-12);
    fc_data_destroy(&blk);
    free(theta), free(H_old), free(H), free(A), free(w), free(Z), free(S);
}
END_TEST

/* Acceptance 3 (every stored site PSD) and the damping rule: (1−α)U_oU_oᵀ + αU_nU_nᵀ is
 * replaced by its best rank-r part M_r (dense eigendecomposition here) and D by
 * (1−α)D_o + αD_n + diag(M − M_r); the site stays PSD through repeated damped updates. */
START_TEST(damped_sites_are_best_rank_r_and_psd)
{
    const size_t K = 2, p_raw = 6, d = 7, n = 40, r = 3;
    const double alpha = 0.4;
    const fc_family_ops_t *f = fc_family_find("lowrank");
    fc_family_dims_t fd = {d, r, 0, K, 5};
    fc_model_t m;
    fc_data_t *b[MAXK];
    fc_rng_t rng;
    OK(fc_model_init(&m, fc_model_find("logistic"), d, 1, 1.0));
    fc_test_blocks(&m, K, n, p_raw, 1, 1.0, 13, b);
    size_t ns = f->site_len(&fd), np = f->prec_len(&fd);
    double *H = fc_test_dalloc(ns), *Hn = fc_test_dalloc(ns), *Hold = fc_test_dalloc(ns),
           *h = fc_test_dalloc(d), *hn = fc_test_dalloc(d);
    double *dh = fc_test_dalloc(d), *dH = fc_test_dalloc(np), *theta = fc_test_dalloc(d),
           *M = fc_test_dalloc(d * d);
    double *w = fc_test_dalloc(d), *Z = fc_test_dalloc(d * d), *S = fc_test_dalloc(d * d);
    fc_rng_seed(&rng, 2, 0, 0);
    double worst = 0.0, worst_psd = 1.0;
    for (int t = 0; t < 6; t++) {
        fc_test_randn(&rng, d, 0.7, theta);
        site_at(f, &fd, &m, b[1], theta, H, Hn);
        memcpy(Hold, H, ns * sizeof *H);
        f->damp(&fd, 1, alpha, h, H, hn, Hn, dh, dH);
        /* The definition, densely: M = (1−α)U_oU_oᵀ + αU_nU_nᵀ, M_r its top-r part. */
        double *Uo = Hold + 1 + d, *Un = Hn + 1 + d, *U = H + 1 + d;
        for (size_t i = 0; i < d * d; i++)
            M[i] = 0.0;
        for (size_t i = 0; i < d; i++)
            for (size_t j = 0; j < d; j++)
                for (size_t c = 0; c < r; c++)
                    M[i * d + j] += (1 - alpha) * Uo[i * r + c] * Uo[j * r + c] +
                                    alpha * Un[i * r + c] * Un[j * r + c];
        double diagM[7], scale = 0.0;
        for (size_t i = 0; i < d; i++)
            diagM[i] = M[i * d + i], scale = fmax(scale, diagM[i]);
        dense_eig(d, M, w, Z);
        for (size_t i = 0; i < d; i++) {
            double mr_ii = 0.0;
            for (size_t j = 0; j < d; j++) {
                double mr = 0.0, uu = 0.0;
                for (size_t c = 0; c < r; c++) {
                    mr += w[d - 1 - c] * Z[i * d + d - 1 - c] * Z[j * d + d - 1 - c];
                    uu += U[i * r + c] * U[j * r + c];
                }
                worst = fmax(worst, fabs(mr - uu) / scale);
                if (i == j) mr_ii = mr;
            }
            double want_D = (1 - alpha) * Hold[1 + i] + alpha * Hn[1 + i] + (diagM[i] - mr_ii);
            worst = fmax(worst, fabs(H[1 + i] - fmax(want_D, 0.0)) / scale);
            ck_assert_double_ge(H[1 + i], 0.0);
            /* The change sits in client 1's block of the sums' layout. */
            ck_assert_double_eq_tol(dH[HDR + i], H[1 + i] - Hold[1 + i], 1e-14 * scale);
        }
        dense_lowrank(d, H + 1, r, U, 1.0, 0, S);
        worst_psd = fmin(worst_psd, min_eig_ratio(d, S));
    }
    if (fc_test_verbose()) printf("damping: worst %.2e, min eig ratio %.2e\n", worst, worst_psd);
    ck_assert_double_lt(worst, 1e-10);
    ck_assert_double_ge(worst_psd, -1e-12);
    free_blocks(b, K);
    free(H), free(Hn), free(Hold), free(h), free(hn), free(dh), free(dH), free(theta), free(M);
    free(w), free(Z), free(S);
}
END_TEST

/* Acceptance 4: (D + WWᵀ − UUᵀ) x = b by Woodbury against a dense Gaussian solve, with and
 * without the negative part; an indefinite matrix is FC_ENOTSPD. */
START_TEST(woodbury_matches_dense_solve)
{
    const size_t d = 30;
    fc_rng_t rng;
    fc_rng_seed(&rng, 17, 0, 0);
    for (int trial = 0; trial < 6; trial++) {
        size_t nw = 1 + (size_t)trial % 6, nu = (size_t)trial % 3;
        double *D = fc_test_dalloc(d), *W = fc_test_dalloc(d * nw), *U = fc_test_dalloc(d * nu),
               *b = fc_test_dalloc(d);
        double *x = fc_test_dalloc(d), *A = fc_test_dalloc(d * d),
               *work = fc_test_dalloc(fc_lr_solve_work(d, nw, nu));
        for (size_t i = 0; i < d; i++)
            D[i] = 0.5 + fc_rng_uniform(&rng);
        fc_test_randn(&rng, d * nw, 1.0, W);
        fc_test_randn(&rng, d * nu, 0.15, U);
        fc_test_randn(&rng, d, 1.0, b);
        memcpy(x, b, d * sizeof *x);
        dense_lowrank(d, D, nw, W, 1.0, 0, A);
        dense_lowrank(d, NULL, nu, U, -1.0, 1, A);
        ck_assert_double_gt(min_eig_ratio(d, A), 0.0);
        OK(fc_lr_solve(d, D, nw, W, nu, U, x, work, "test matrix"));
        fc_test_gauss_solve(d, A, b);
        double err = fc_test_relerr(d, x, b);
        if (fc_test_verbose()) printf("woodbury nw=%zu nu=%zu: rel err %.2e\n", nw, nu, err);
        ck_assert_double_lt(err, 1e-10);
        if (nu) {
            fc_scal(d * nu, 40.0, U); /* now UUᵀ dominates: indefinite */
            ck_assert_int_eq(fc_lr_solve(d, D, nw, W, nu, U, x, work, "test matrix"), FC_ENOTSPD);
        }
        free(D), free(W), free(U), free(b), free(x), free(A), free(work);
    }
}
END_TEST

/* Random PSD sites of K clients placed into the sums' layout and added in client order. */
static void random_sites(const fc_family_ops_t *f, const fc_family_dims_t *fd, fc_rng_t *rng,
                         double **H, double *sum_H)
{
    size_t d = fd->d, r = fd->rank, np = f->prec_len(fd);
    double *one = fc_test_dalloc(np);
    for (size_t k = 0; k < fd->K; k++) {
        H[k] = fc_test_dalloc(f->site_len(fd));
        H[k][0] = 1.0;
        for (size_t i = 0; i < d; i++)
            H[k][1 + i] = fc_rng_uniform(rng);
        fc_test_randn(rng, d * r, 0.8, H[k] + 1 + d);
        f->place(fd, k, H[k], one);
        for (size_t i = 0; i < np; i++)
            sum_H[i] += one[i];
    }
    free(one);
}

/* Acceptance 4: the server mean solves the exact S = δI + ΣD + VVᵀ; the state sent down is
 * the documented compression (δI + ΣD + diag(VVᵀ − M_q) + M_q, M_q the top-q eigenpart of
 * VVᵀ) or exactly S; each cavity P = S_t − H_k and b = S_t m − h_k, and the cavity's Woodbury
 * solve, against dense matrices. */
START_TEST(server_state_and_cavities_match_dense)
{
    const size_t K = 4, r = 2, d = 12, Q = K * r, q = _i == 0 ? 0 : 3;
    const double delta = 0.8;
    const fc_family_ops_t *f = fc_family_find("lowrank");
    fc_family_dims_t fd = {d, r, q, K, 1};
    fc_rng_t rng;
    fc_rng_seed(&rng, 23 + q, 0, 0);
    size_t np = f->prec_len(&fd), nq = q ? q : Q;
    double *H[MAXK], *sum_H = fc_test_dalloc(np), *sum_h = fc_test_dalloc(d),
                     *m = fc_test_dalloc(d), *S = fc_test_dalloc(np);
    double *L = fc_test_dalloc(f->factor_len(&fd)), *V = fc_test_dalloc(d * Q),
           *A = fc_test_dalloc(d * d);
    double *St = fc_test_dalloc(d * d), *w = fc_test_dalloc(d), *Z = fc_test_dalloc(d * d),
           *mm = fc_test_dalloc(d);
    random_sites(f, &fd, &rng, H, sum_H);
    fc_test_randn(&rng, d, 1.0, sum_h);
    OK(f->posterior(&fd, delta, NULL, sum_h, sum_H, m, S, L));
    /* The exact S, densely, and its solve. */
    for (size_t k = 0; k < K; k++)
        for (size_t i = 0; i < d; i++)
            for (size_t j = 0; j < r; j++)
                V[i * Q + k * r + j] = H[k][1 + d + i * r + j];
    double Sdiag[12];
    for (size_t i = 0; i < d; i++) {
        Sdiag[i] = delta;
        for (size_t k = 0; k < K; k++)
            Sdiag[i] += H[k][1 + i];
    }
    dense_lowrank(d, Sdiag, Q, V, 1.0, 0, A);
    memcpy(mm, sum_h, d * sizeof *mm);
    fc_test_gauss_solve(d, A, mm);
    double err_m = fc_test_relerr(d, m, mm);
    /* The state sent down, against its definition. */
    dense_lowrank(d, NULL, Q, V, 1.0, 0, A); /* VVᵀ */
    double diagV[12];
    for (size_t i = 0; i < d; i++)
        diagV[i] = A[i * d + i];
    dense_eig(d, A, w, Z);
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) {
            double mq = 0.0;
            for (size_t c = 0; c < nq; c++)
                mq += w[d - 1 - c] * Z[i * d + d - 1 - c] * Z[j * d + d - 1 - c];
            St[i * d + j] = mq;
        }
    for (size_t i = 0; i < d; i++)
        St[i * d + i] += Sdiag[i] + (diagV[i] - St[i * d + i]);
    ck_assert_double_eq(S[0], (double)nq);
    dense_lowrank(d, S + HDR, nq, S + HDR + d, 1.0, 0, A);
    double err_S = fc_test_relerr(d * d, A, St);
    /* Cavities: P v, b, and the solve, for every client. */
    double err_P = 0.0, err_b = 0.0, err_solve = 0.0;
    double *P = fc_test_dalloc(np), *bb = fc_test_dalloc(d), *v = fc_test_dalloc(d),
           *Pv = fc_test_dalloc(d), *want = fc_test_dalloc(d);
    double *h = fc_test_dalloc(d), *Pd = fc_test_dalloc(d * d);
    for (size_t k = 0; k < K; k++) {
        fc_quad_t quad;
        fc_test_randn(&rng, d, 1.0, h);
        OK(f->cavity(&fd, k, 1.0, m, S, h, H[k], P, bb, 0, NULL, &quad));
        memcpy(Pd, St, d * d * sizeof *Pd);
        dense_lowrank(d, NULL, r, H[k] + 1 + d, -1.0, 1, Pd);
        for (size_t i = 0; i < d; i++)
            Pd[i * d + i] -= H[k][1 + i];
        fc_test_randn(&rng, d, 1.0, v);
        quad.ops->apply(&quad, d, v, Pv);
        for (size_t i = 0; i < d; i++) {
            double s = 0.0, t = 0.0;
            for (size_t j = 0; j < d; j++)
                s += Pd[i * d + j] * v[j], t += St[i * d + j] * m[j];
            want[i] = s;
            err_b = fmax(err_b, fabs(bb[i] - (t - h[i])) / (fabs(t) + 1.0));
        }
        err_P = fmax(err_P, fc_test_relerr(d, Pv, want));
        /* The cavity solve by Woodbury on its parts, against a dense solve of P. */
        size_t nw = (size_t)P[0], nu = (size_t)P[1];
        double *work = fc_test_dalloc(fc_lr_solve_work(d, nw, nu)), *x = fc_test_dalloc(d);
        memcpy(x, v, d * sizeof *x);
        int pd = min_eig_ratio(d, Pd) > 0.0;
        int st =
            fc_lr_solve(d, P + HDR, nw, P + HDR + d, nu, P + HDR + d + d * nw, x, work, "cavity");
        ck_assert_int_eq(st, pd ? FC_OK : FC_ENOTSPD);
        if (pd) {
            fc_test_gauss_solve(d, Pd, v);
            err_solve = fmax(err_solve, fc_test_relerr(d, x, v));
        }
        free(work), free(x);
    }
    if (fc_test_verbose())
        printf("server q=%zu: m %.2e, S_t %.2e, cavity P %.2e, b %.2e, solve %.2e\n", q, err_m,
               err_S, err_P, err_b, err_solve);
    ck_assert_double_lt(err_m, 1e-10);
    ck_assert_double_lt(err_S, 1e-10);
    ck_assert_double_lt(err_P, 1e-10);
    ck_assert_double_lt(err_b, 1e-10);
    ck_assert_double_lt(err_solve, 1e-10);
    for (size_t k = 0; k < K; k++)
        free(H[k]);
    free(sum_H), free(sum_h), free(m), free(S), free(L), free(V), free(A), free(St), free(w);
    free(Z), free(mm), free(P), free(bb), free(v), free(Pv), free(want), free(h), free(Pd);
}
END_TEST

/* Acceptance 6 (memory pre-flight): the estimate counts each client's O(rd) site and the
 * server's O(Krd) stack, grows with r, and stays far below full's d² sites at large d. */
START_TEST(memory_preflight_knows_lowrank_sizes)
{
    const size_t d = 3000, K = 10, n = 100;
    fc_model_t m;
    fc_config_t c;
    fc_algo_ctx_t a;
    double est[3];
    OK(fc_model_init(&m, fc_model_find("logistic"), d, 1, 1.0));
    for (int i = 0; i < 3; i++) {
        config_for(&c, &m, K, "fpc", i < 2 ? "lowrank" : "full", i == 0 ? 5 : 10, 0, 1.0, 1.0);
        fc_algo_ctx_init(&a, &c, fc_algo_find("fpc"), &m, K);
        est[i] = (double)fc_algo_memory_estimate(&a, K, n);
    }
    /* At least: per client the site (1 + d + dr) and h, θ (2d); the server's S and ΣH
     * (d·(Kr + r) each) — counted by hand from SPEC §12's sizes. */
    for (int i = 0; i < 2; i++) {
        double r = i == 0 ? 5 : 10, need = K * (1 + d + d * r + 2 * d) + 2 * d * (K * r + r);
        ck_assert_double_ge(est[i], 8.0 * need);
    }
    if (fc_test_verbose())
        printf("memory: r=5 %.3g B, r=10 %.3g B, full %.3g B\n", est[0], est[1], est[2]);
    ck_assert_double_gt(est[1], est[0]);
    ck_assert_double_lt(est[1], 0.2 * est[2]);
}
END_TEST

/* The models' block curvature products (what the subspace iteration multiplies by) against
 * the dense Hessian times the block. */
START_TEST(block_products_match_dense_hessian)
{
    static const char *const types[] = {"linear", "logistic", "softmax"};
    const size_t K = 1, p_raw = 5, p = 6, n = 25, s = 4;
    const int C = _i == 2 ? 3 : 1;
    fc_model_t m;
    fc_data_t *b[MAXK];
    fc_rng_t rng;
    OK(fc_model_init(&m, fc_model_find(types[_i]), p, C, 1.7));
    fc_test_blocks(&m, K, n, p_raw, 1, 1.0, 41, b);
    size_t d = m.d;
    double *theta = fc_test_dalloc(d), *V = fc_test_dalloc(d * s), *out = fc_test_dalloc(d * s),
           *want = fc_test_dalloc(d * s);
    double *Hs = fc_test_dalloc(d * d), *work = fc_test_dalloc(m.ops->work_size(&m, n));
    double *bw = fc_test_dalloc(m.ops->hvp_block_work(&m, n, s)), loss;
    fc_rng_seed(&rng, 8, 0, 0);
    fc_test_randn(&rng, d, 0.5, theta);
    fc_test_randn(&rng, d * s, 1.0, V);
    fc_model_eval(&m, b[0], theta, &loss, NULL, Hs, NULL, work);
    for (size_t i = 0; i < d; i++)
        for (size_t t = 0; t < s; t++) {
            double acc = 0.0;
            for (size_t j = 0; j < d; j++)
                acc += Hs[i * d + j] * V[j * s + t];
            want[i * s + t] = acc;
        }
    m.ops->hvp_block(&m, b[0]->X, b[0]->y, n, theta, s, V, out, bw);
    double err = fc_test_relerr(d * s, out, want);
    if (fc_test_verbose()) printf("block product %s: rel err %.2e\n", types[_i], err);
    ck_assert_double_lt(err, 1e-12);
    free_blocks(b, K);
    free(theta), free(V), free(out), free(want), free(Hs), free(work), free(bw);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lowrank");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, linear_exact_after_one_round, 0, 6);
    tcase_add_loop_test(tc, rank_d_equals_full_rank_zero_equals_diag, 0, 2);
    tcase_add_test(tc, eigenpairs_match_dense_dsyevr);
    tcase_add_test(tc, damped_sites_are_best_rank_r_and_psd);
    tcase_add_test(tc, woodbury_matches_dense_solve);
    tcase_add_loop_test(tc, server_state_and_cavities_match_dense, 0, 2);
    tcase_add_test(tc, memory_preflight_knows_lowrank_sizes);
    tcase_add_loop_test(tc, block_products_match_dense_hessian, 0, 3);
    suite_add_tcase(s, tc);
    return fc_test_run(s);
}
