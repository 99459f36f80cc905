/* test_model.c — the models of SPEC §1: the loss against a plain-loop formula, the
 * gradient and Hessian against central finite differences, hdiag / hvp / correct against
 * the Hessian and plain loops, stability at huge logits, the registry and fc_model_init. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_error.h"
#include "fc_la.h"
#include "fc_mem.h"
#include "fc_model.h"
#include "fc_rng.h"
#include "fc_testutil.h"

enum { N_EX = 40, P_RAW = 4, N_CLASS = 3 };
static const double BETA = 2.0; /* not 1, so a dropped noise precision shows */
static const char *const NAMES[] = {"linear", "logistic", "softmax"};

/* One random problem: a model, a block (X, y) and a point theta. */
typedef struct {
    fc_model_t m;
    size_t n;
    double *X, *y, *theta, *work;
} problem_t;

/* Loop tests run over _i = 2 * model + bias. */
static void problem_make(problem_t *pb, int model, int bias, size_t n)
{
    const fc_model_ops_t *ops = fc_model_find(NAMES[model]);
    size_t p = P_RAW + (size_t)bias;
    fc_rng_t r;

    ck_assert_ptr_nonnull(ops);
    ck_assert_int_eq(fc_model_init(&pb->m, ops, p, N_CLASS, BETA), FC_OK);
    pb->n = n;
    ck_assert_int_eq(fc_alloc(n * p, sizeof(double), &pb->X), FC_OK);
    ck_assert_int_eq(fc_alloc(n, sizeof(double), &pb->y), FC_OK);
    ck_assert_int_eq(fc_alloc(pb->m.d, sizeof(double), &pb->theta), FC_OK);
    ck_assert_int_eq(fc_alloc(ops->work_size(&pb->m, n), sizeof(double), &pb->work), FC_OK);

    fc_rng_seed(&r, 20240607, (uint64_t)model, (uint64_t)bias);
    fc_test_randn(&r, n * p, 1.0, pb->X);
    if (bias)
        for (size_t i = 0; i < n; i++)
            pb->X[i * p + p - 1] = 1.0; /* SPEC §1: bias is last */
    for (size_t i = 0; i < n; i++) {
        switch (ops->labels) {
        case FC_LABEL_REAL:
            pb->y[i] = 2.0 * fc_rng_normal(&r);
            break;
        case FC_LABEL_BINARY:
            pb->y[i] = fc_rng_uniform(&r) < 0.5 ? 0.0 : 1.0;
            break;
        case FC_LABEL_CLASS:
            pb->y[i] = (double)fc_rng_below(&r, N_CLASS);
            break;
        }
    }
    fc_test_randn(&r, pb->m.d, 0.5, pb->theta); /* logits of order 1 */
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

/* FC_TEST_VERBOSE=1 prints the errors measured, for the record. */
static void note(const char *what, int model, int bias, double err)
{
    if (getenv("FC_TEST_VERBOSE"))
        printf("%-9s bias=%d %-22s relerr %.3e\n", NAMES[model], bias, what, err);
}

/* The loss by its textbook formula, one example and one class at a time. */
static double plain_loss(const problem_t *pb, const double *theta)
{
    const size_t p = pb->m.p, C = (size_t)pb->m.classes;
    double L = 0.0;
    for (size_t i = 0; i < pb->n; i++) {
        const double *x = pb->X + i * p;
        if (pb->m.ops->labels == FC_LABEL_CLASS) {
            double a[N_CLASS], s = 0.0;
            for (size_t c = 0; c < C; c++) {
                a[c] = 0.0;
                for (size_t j = 0; j < p; j++)
                    a[c] += x[j] * theta[j * C + c];
                s += exp(a[c]);
            }
            L += log(s) - a[(size_t)pb->y[i]];
        } else {
            double a = 0.0;
            for (size_t j = 0; j < p; j++)
                a += x[j] * theta[j];
            if (pb->m.ops->labels == FC_LABEL_REAL)
                L += 0.5 * BETA * (pb->y[i] - a) * (pb->y[i] - a);
            else
                L += log(1.0 + exp(a)) - pb->y[i] * a;
        }
    }
    return L;
}

START_TEST(loss_matches_plain_formula)
{
    problem_t pb;
    double L;
    problem_make(&pb, _i / 2, _i % 2, N_EX);
    eval_at(&pb, pb.theta, &L, NULL, NULL, NULL);
    double ref = plain_loss(&pb, pb.theta), err = fc_test_relerr(1, &L, &ref);
    note("loss vs formula", _i / 2, _i % 2, err);
    ck_assert_double_gt(ref, 0.0);
    ck_assert_double_lt(err, 1e-12);
    problem_free(&pb);
}
END_TEST

/* Central-difference step for coordinate t: ~1e-5 of its scale, and the step actually
 * taken (tp - tm), which is what the quotient must divide by. */
static double step(double t, double *tp, double *tm)
{
    double h = 1e-5 * fmax(1.0, fabs(t));
    *tp = t + h;
    *tm = t - h;
    return *tp - *tm;
}

START_TEST(gradient_matches_finite_differences)
{
    problem_t pb;
    problem_make(&pb, _i / 2, _i % 2, N_EX);
    const size_t d = pb.m.d;
    double L, Lp, Lm, *g, *fd, *t;
    ck_assert_int_eq(fc_alloc(d, sizeof(double), &g), FC_OK);
    ck_assert_int_eq(fc_alloc(d, sizeof(double), &fd), FC_OK);
    ck_assert_int_eq(fc_alloc(d, sizeof(double), &t), FC_OK);
    eval_at(&pb, pb.theta, &L, g, NULL, NULL);
    for (size_t j = 0; j < d; j++) {
        double tp, tm, h2;
        memcpy(t, pb.theta, d * sizeof *t);
        h2 = step(pb.theta[j], &tp, &tm);
        t[j] = tp;
        eval_at(&pb, t, &Lp, NULL, NULL, NULL);
        t[j] = tm;
        eval_at(&pb, t, &Lm, NULL, NULL, NULL);
        fd[j] = (Lp - Lm) / h2;
    }
    double err = fc_test_relerr(d, g, fd);
    note("grad vs central FD", _i / 2, _i % 2, err);
    ck_assert_double_gt(fc_nrm2(d, fd), 1e-3); /* a real, non-zero gradient */
    ck_assert_double_lt(err, 1e-6);
    fc_free(&g);
    fc_free(&fd);
    fc_free(&t);
    problem_free(&pb);
}
END_TEST

START_TEST(hessian_matches_finite_differences)
{
    problem_t pb;
    problem_make(&pb, _i / 2, _i % 2, N_EX);
    const size_t d = pb.m.d;
    double L, *H, *fd, *t, *gp, *gm;
    ck_assert_int_eq(fc_alloc(d * d, sizeof(double), &H), FC_OK);
    ck_assert_int_eq(fc_alloc(d * d, sizeof(double), &fd), FC_OK);
    ck_assert_int_eq(fc_alloc(d, sizeof(double), &t), FC_OK);
    ck_assert_int_eq(fc_alloc(d, sizeof(double), &gp), FC_OK);
    ck_assert_int_eq(fc_alloc(d, sizeof(double), &gm), FC_OK);
    eval_at(&pb, pb.theta, &L, NULL, H, NULL);
    for (size_t j = 0; j < d; j++) { /* column j of H from the gradient */
        double tp, tm, h2;
        memcpy(t, pb.theta, d * sizeof *t);
        h2 = step(pb.theta[j], &tp, &tm);
        t[j] = tp;
        eval_at(&pb, t, &L, gp, NULL, NULL);
        t[j] = tm;
        eval_at(&pb, t, &L, gm, NULL, NULL);
        for (size_t i = 0; i < d; i++)
            fd[i * d + j] = (gp[i] - gm[i]) / h2;
    }
    double err = fc_test_relerr(d * d, H, fd);
    note("hess vs central FD", _i / 2, _i % 2, err);
    ck_assert_double_gt(fc_nrm2(d * d, fd), 1e-3);
    ck_assert_double_lt(err, 1e-6);
    for (size_t i = 0; i < d; i++) /* exactly symmetric: Cholesky reads one triangle */
        for (size_t j = 0; j < i; j++)
            ck_assert_double_eq(H[i * d + j], H[j * d + i]);
    fc_free(&H);
    fc_free(&fd);
    fc_free(&t);
    fc_free(&gp);
    fc_free(&gm);
    problem_free(&pb);
}
END_TEST

START_TEST(hdiag_and_hvp_agree_with_hessian)
{
    problem_t pb;
    problem_make(&pb, _i / 2, _i % 2, N_EX);
    const size_t d = pb.m.d;
    double L, *H, *hd, *diag, *v, *hv, *ref;
    fc_rng_t r;
    ck_assert_int_eq(fc_alloc(d * d, sizeof(double), &H), FC_OK);
    ck_assert_int_eq(fc_alloc(d, sizeof(double), &hd), FC_OK);
    ck_assert_int_eq(fc_alloc(d, sizeof(double), &diag), FC_OK);
    ck_assert_int_eq(fc_alloc(d, sizeof(double), &v), FC_OK);
    ck_assert_int_eq(fc_alloc(d, sizeof(double), &hv), FC_OK);
    ck_assert_int_eq(fc_alloc(d, sizeof(double), &ref), FC_OK);
    eval_at(&pb, pb.theta, &L, NULL, H, NULL);
    eval_at(&pb, pb.theta, &L, NULL, NULL, hd);
    for (size_t i = 0; i < d; i++)
        diag[i] = H[i * d + i];
    double err = fc_test_relerr(d, hd, diag);
    note("hdiag vs diag(hess)", _i / 2, _i % 2, err);
    ck_assert_double_lt(err, 1e-12);
    for (size_t i = 0; i < d; i++)
        ck_assert_double_gt(hd[i], 0.0);

    fc_rng_seed(&r, 77, (uint64_t)_i, 0);
    fc_test_randn(&r, d, 1.0, v);
    pb.m.ops->hvp(&pb.m, pb.X, pb.y, pb.n, pb.theta, v, hv, pb.work);
    for (size_t i = 0; i < d; i++) {
        ref[i] = 0.0;
        for (size_t j = 0; j < d; j++)
            ref[i] += H[i * d + j] * v[j];
    }
    err = fc_test_relerr(d, hv, ref);
    note("hvp vs hess*v", _i / 2, _i % 2, err);
    ck_assert_double_lt(err, 1e-12);
    fc_free(&H);
    fc_free(&hd);
    fc_free(&diag);
    fc_free(&v);
    fc_free(&hv);
    fc_free(&ref);
    problem_free(&pb);
}
END_TEST

/* Outputs are overwritten, not accumulated, and do not depend on which others are asked
 * for (the work buffer is shared between them). */
START_TEST(outputs_overwrite_and_are_independent)
{
    problem_t pb;
    problem_make(&pb, _i / 2, _i % 2, N_EX);
    const size_t d = pb.m.d;
    double L1, L2, *g1, *g2, *H1, *H2, *h1, *h2;
    ck_assert_int_eq(fc_alloc(d, sizeof(double), &g1), FC_OK);
    ck_assert_int_eq(fc_alloc(d, sizeof(double), &g2), FC_OK);
    ck_assert_int_eq(fc_alloc(d, sizeof(double), &h1), FC_OK);
    ck_assert_int_eq(fc_alloc(d, sizeof(double), &h2), FC_OK);
    ck_assert_int_eq(fc_alloc(d * d, sizeof(double), &H1), FC_OK);
    ck_assert_int_eq(fc_alloc(d * d, sizeof(double), &H2), FC_OK);
    for (size_t i = 0; i < d * d; i++)
        H2[i] = NAN;
    for (size_t i = 0; i < d; i++)
        g2[i] = h2[i] = 1e300;
    L2 = NAN;
    eval_at(&pb, pb.theta, &L1, g1, H1, h1);
    eval_at(&pb, pb.theta, &L2, g2, NULL, NULL);
    eval_at(&pb, pb.theta, &L2, NULL, H2, NULL);
    eval_at(&pb, pb.theta, &L2, NULL, NULL, h2);
    ck_assert_double_eq(L1, L2);
    ck_assert_int_eq(memcmp(g1, g2, d * sizeof *g1), 0);
    ck_assert_int_eq(memcmp(H1, H2, d * d * sizeof *H1), 0);
    ck_assert_int_eq(memcmp(h1, h2, d * sizeof *h1), 0);
    fc_free(&g1);
    fc_free(&g2);
    fc_free(&h1);
    fc_free(&h2);
    fc_free(&H1);
    fc_free(&H2);
    problem_free(&pb);
}
END_TEST

START_TEST(empty_block_gives_zeros)
{
    problem_t pb;
    problem_make(&pb, _i / 2, _i % 2, 0);
    const size_t d = pb.m.d;
    double L = NAN, g[3 * N_CLASS * (P_RAW + 1)], hd[3 * N_CLASS * (P_RAW + 1)],
           H[N_CLASS * (P_RAW + 1) * N_CLASS * (P_RAW + 1)];
    for (size_t i = 0; i < d; i++)
        g[i] = hd[i] = NAN;
    for (size_t i = 0; i < d * d; i++)
        H[i] = NAN;
    eval_at(&pb, pb.theta, &L, g, H, hd);
    ck_assert_double_eq(L, 0.0);
    for (size_t i = 0; i < d; i++)
        ck_assert(g[i] == 0.0 && hd[i] == 0.0);
    for (size_t i = 0; i < d * d; i++)
        ck_assert(H[i] == 0.0);
    for (size_t i = 0; i < d; i++)
        g[i] = NAN;
    pb.m.ops->hvp(&pb.m, pb.X, pb.y, 0, pb.theta, pb.theta, g, pb.work);
    for (size_t i = 0; i < d; i++)
        ck_assert(g[i] == 0.0);
    if (pb.m.ops->correct)
        ck_assert_uint_eq(pb.m.ops->correct(&pb.m, pb.X, pb.y, 0, pb.theta, pb.work), 0);
    problem_free(&pb);
}
END_TEST

START_TEST(correct_matches_plain_count)
{
    problem_t pb;
    problem_make(&pb, _i / 2, _i % 2, N_EX);
    const size_t p = pb.m.p, C = (size_t)pb.m.classes;
    if (!pb.m.ops->correct) {
        ck_assert_int_eq(pb.m.ops->labels, FC_LABEL_REAL); /* only regression has none */
        problem_free(&pb);
        return;
    }
    /* The point itself and a point fitted to the labels, so the count is neither ~n/2
     * by chance nor trivially 0 or n. */
    for (int trial = 0; trial < 2; trial++) {
        size_t want = 0;
        for (size_t i = 0; i < pb.n; i++) {
            const double *x = pb.X + i * p;
            size_t pred = 0;
            double best = -INFINITY;
            for (size_t c = 0; c < C; c++) { /* C == 1: logistic, the sign of x^T theta */
                double a = 0.0;
                for (size_t j = 0; j < p; j++)
                    a += x[j] * pb.theta[j * C + c];
                if (C == 1)
                    pred = a > 0.0;
                else if (a > best)
                    best = a, pred = c;
            }
            want += pred == (size_t)pb.y[i];
        }
        size_t got = pb.m.ops->correct(&pb.m, pb.X, pb.y, pb.n, pb.theta, pb.work);
        ck_assert_uint_eq(got, want);
        if (trial == 1) ck_assert_uint_gt(got, pb.n / (C == 1 ? 2 : C)); /* beats chance */
        /* theta = X^T (one-hot labels, centred): a crude fit that beats chance. */
        for (size_t k = 0; k < pb.m.d; k++)
            pb.theta[k] = 0.0;
        for (size_t i = 0; i < pb.n; i++)
            for (size_t j = 0; j < p; j++)
                for (size_t c = 0; c < C; c++) {
                    double target = C == 1 ? pb.y[i] - 0.5 : ((size_t)pb.y[i] == c) - 1.0 / C;
                    pb.theta[j * C + c] += pb.X[i * p + j] * target;
                }
    }
    problem_free(&pb);
}
END_TEST

START_TEST(correct_breaks_ties_as_specified)
{
    /* Logistic predicts 1 only for x^T theta > 0; softmax predicts the first argmax. */
    fc_model_t m;
    double x = 1.0, work[4096], zero = 0.0, tie[3] = {2.0, 2.0, 0.0}, y0 = 0.0, y1 = 1.0;
    ck_assert_int_eq(fc_model_init(&m, fc_model_find("logistic"), 1, 0, 0.0), FC_OK);
    ck_assert_uint_eq(m.ops->correct(&m, &x, &y0, 1, &zero, work), 1);
    ck_assert_uint_eq(m.ops->correct(&m, &x, &y1, 1, &zero, work), 0);
    ck_assert_int_eq(fc_model_init(&m, fc_model_find("softmax"), 1, 3, 0.0), FC_OK);
    ck_assert_uint_le(m.ops->work_size(&m, 1), 4096);
    ck_assert_uint_eq(m.ops->correct(&m, &x, &y0, 1, tie, work), 1);
    ck_assert_uint_eq(m.ops->correct(&m, &x, &y1, 1, tie, work), 0);
}
END_TEST

/* One example x = [1] with theta = a: the logistic loss, gradient and Hessian at logit a. */
static void logistic_at(double a, double y, double *L, double *g, double *H)
{
    fc_model_t m;
    double x = 1.0, work[8];
    ck_assert_int_eq(fc_model_init(&m, fc_model_find("logistic"), 1, 0, 0.0), FC_OK);
    ck_assert_uint_le(m.ops->work_size(&m, 1), 8);
    m.ops->eval(&m, &x, &y, 1, &a, L, g, H, NULL, work);
}

START_TEST(logistic_is_stable_at_huge_logits)
{
    /* Closed forms: loss = max(a,0) - y a + log1p(e^-|a|) ~ max(a,0) - y a + e^-|a|,
     * grad = sigmoid(a) - y, hess = e^-|a| / (1 + e^-|a|)^2. */
    static const struct {
        double a, y, loss, grad;
    } cs[] = {
        {1000.0, 1.0, 0.0, 0.0},
        {1000.0, 0.0, 1000.0, 1.0},
        {-1000.0, 1.0, 1000.0, -1.0},
        {-1000.0, 0.0, 0.0, 0.0},
        {40.0, 1.0, 4.248354255291589e-18, -4.248354255291589e-18},
        {-40.0, 0.0, 4.248354255291589e-18, 4.248354255291589e-18},
    };
    for (size_t k = 0; k < sizeof cs / sizeof cs[0]; k++) {
        double L, g, H, want_h = exp(-fabs(cs[k].a));
        logistic_at(cs[k].a, cs[k].y, &L, &g, &H);
        ck_assert(isfinite(L) && isfinite(g) && isfinite(H));
        ck_assert_double_le(fc_test_relerr(1, &L, &cs[k].loss), 1e-12);
        ck_assert_double_le(fc_test_relerr(1, &g, &cs[k].grad), 1e-12);
        ck_assert_double_le(fc_test_relerr(1, &H, &want_h), 1e-12);
    }
}
END_TEST

START_TEST(softmax_is_stable_at_huge_logits)
{
    /* One example x = [1], so theta holds the logits. loss = logsumexp(a) - a_y; with
     * a = (1000, 0, -1000) it is 0, 1000, 2000 (corrections below e^-1000). With
     * a = (40, 0, 0), y = 0: loss = log1p(2 e^-40) ~ 2 e^-40 and grad = (-2e, e, e)
     * with e = e^-40 / (1 + 2 e^-40) — lost entirely by 1 - p_0 computed as a difference. */
    fc_model_t m;
    double x = 1.0, work[4096], L, g[3], hd[3], H[9];
    const double e40 = exp(-40.0), big[3] = {1000.0, 0.0, -1000.0}, mid[3] = {40.0, 0.0, 0.0};
    const double rev[3] = {-1000.0, 0.0, 1000.0};
    ck_assert_int_eq(fc_model_init(&m, fc_model_find("softmax"), 1, 3, 0.0), FC_OK);
    ck_assert_uint_le(m.ops->work_size(&m, 1), 4096);
    for (int yi = 0; yi < 3; yi++) {
        double y = yi, want = 1000.0 * yi;
        m.ops->eval(&m, &x, &y, 1, big, &L, g, H, hd, work);
        ck_assert(fc_all_finite(1, &L) && fc_all_finite(3, g) && fc_all_finite(9, H));
        ck_assert_double_le(fc_test_relerr(1, &L, &want), 1e-12);
        want = 1000.0 * (2 - yi); /* reversed logits: the max is the last class */
        m.ops->eval(&m, &x, &y, 1, rev, &L, g, H, hd, work);
        ck_assert_double_le(fc_test_relerr(1, &L, &want), 1e-12);
    }
    double y = 0.0, want = 2.0 * e40, e = e40 / (1.0 + 2.0 * e40);
    double wg[3] = {-2.0 * e, e, e};
    double wh[3] = {2.0 * e * (1.0 - 2.0 * e), e * (1.0 - e), e * (1.0 - e)};
    m.ops->eval(&m, &x, &y, 1, mid, &L, g, H, hd, work);
    ck_assert_double_le(fc_test_relerr(1, &L, &want), 1e-12);
    ck_assert_double_le(fc_test_relerr(3, g, wg), 1e-12);
    ck_assert_double_le(fc_test_relerr(3, hd, wh), 1e-12);
}
END_TEST

START_TEST(registry_and_init)
{
    fc_model_t m, keep;
    for (size_t k = 0; k < sizeof NAMES / sizeof NAMES[0]; k++)
        ck_assert_str_eq(fc_model_find(NAMES[k])->name, NAMES[k]);
    ck_assert_ptr_null(fc_model_find("perceptron"));
    ck_assert_ptr_null(fc_model_find(NULL));

    ck_assert_int_eq(fc_model_init(&m, fc_model_find("linear"), 5, 7, 1.5), FC_OK);
    ck_assert_uint_eq(m.d, 5);
    ck_assert_int_eq(m.classes, 1);
    ck_assert_double_eq(m.beta, 1.5);
    ck_assert_int_eq(fc_model_init(&m, fc_model_find("logistic"), 5, 0, 0.0), FC_OK);
    ck_assert_uint_eq(m.d, 5);
    ck_assert_int_eq(fc_model_init(&m, fc_model_find("softmax"), 5, 3, 0.0), FC_OK);
    ck_assert_uint_eq(m.d, 15);
    ck_assert_int_eq(m.classes, 3);

    /* Failures leave m untouched and say why. */
    keep = m;
    ck_assert_int_eq(fc_model_init(&m, fc_model_find("softmax"), 5, 1, 0.0), FC_EINVAL);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "at least 2 classes"));
    ck_assert_int_eq(fc_model_init(&m, fc_model_find("softmax"), SIZE_MAX / 2, 4, 0.0), FC_EINVAL);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "overflows"));
    ck_assert_int_eq(fc_model_init(&m, fc_model_find("logistic"), 0, 0, 0.0), FC_EINVAL);
    ck_assert_int_eq(fc_model_init(&m, fc_model_find("linear"), 3, 0, 0.0), FC_EINVAL);
    ck_assert_int_eq(fc_model_init(&m, fc_model_find("linear"), 3, 0, NAN), FC_EINVAL);
    ck_assert_ptr_nonnull(strstr(fc_err_msg(), "noise precision"));
    ck_assert_int_eq(memcmp(&m, &keep, sizeof m), 0);

    /* A work size that would overflow saturates, so fc_alloc refuses it. */
    double *w = NULL;
    ck_assert_uint_eq(m.ops->work_size(&m, SIZE_MAX / 4), SIZE_MAX);
    ck_assert_int_eq(fc_alloc(m.ops->work_size(&m, SIZE_MAX / 4), sizeof(double), &w), FC_ENOMEM);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("core");
    const int cases = 2 * (int)(sizeof NAMES / sizeof NAMES[0]); /* model x bias */
    tcase_add_loop_test(tc, loss_matches_plain_formula, 0, cases);
    tcase_add_loop_test(tc, gradient_matches_finite_differences, 0, cases);
    tcase_add_loop_test(tc, hessian_matches_finite_differences, 0, cases);
    tcase_add_loop_test(tc, hdiag_and_hvp_agree_with_hessian, 0, cases);
    tcase_add_loop_test(tc, outputs_overwrite_and_are_independent, 0, cases);
    tcase_add_loop_test(tc, empty_block_gives_zeros, 0, cases);
    tcase_add_loop_test(tc, correct_matches_plain_count, 0, cases);
    tcase_add_test(tc, correct_breaks_ties_as_specified);
    tcase_add_test(tc, logistic_is_stable_at_huge_logits);
    tcase_add_test(tc, softmax_is_stable_at_huge_logits);
    tcase_add_test(tc, registry_and_init);
    suite_add_tcase(s, tc);
    return fc_test_run(s);
}
