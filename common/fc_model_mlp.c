/* fc_model_mlp.c — a multilayer perceptron with a softmax output (SPEC §8, model.type = mlp):
 * one or two hidden layers (model.hidden = 64 or 128,64), tanh or relu, and the softmax loss
 * of SPEC §1 on the network's logits. Its curvature is the generalised Gauss–Newton matrix
 * G = Σ_i J_iᵀ Λ_i J_i (J_i the Jacobian of example i's logits in θ, Λ_i = diag(p_i) − p_i p_iᵀ),
 * PSD, so every Newton system built on it is positive definite; the loss stays the true one.
 *
 * θ layout: layer l = 1..L+1 in order, each its weight matrix W_l (w_{l-1} × w_l, row-major:
 * θ[off_l + j·w_l + o] joins input j to unit o) then its bias b_l (w_l). w_0 is the input
 * width (the data's p without model.bias's constant column, which the layers' own biases
 * replace), w_{L+1} = C.
 *
 * Every pass runs over the block in chunks of at most CHUNK rows (the activations of one
 * chunk are all the memory it keeps), each layer of a chunk one gemm:
 *   forward   Z_l = A_{l-1} W_l + 1 b_lᵀ, A_l = σ(Z_l)          (A_0 = X)
 *   backward  Δ_{L+1} = ∂loss/∂logits; ∇W_l += A_{l-1}ᵀ Δ_l; Δ_{l-1} = (Δ_l W_lᵀ) ∘ σ'(A_{l-1})
 * σ' is read off the activation itself (tanh: 1 − a², relu: [a > 0]), so no Z is kept.
 * The exact GGN diagonal factors Λ_i = B_i B_iᵀ with columns b_ic = √p_ic (e_c − p_i), so
 * diag G = Σ_{i,c} (J_iᵀ b_ic)²: one backward pass of the C·rows stacked directions, and for W_l
 * the sum of squares is (A_{l-1} ∘ A_{l-1})ᵀ (Σ_c Δ_{l,c} ∘ Δ_{l,c}) — one more gemm. The Monte
 * Carlo Fisher diagonal is the same with one sampled direction p_i − e_ŷ (ŷ ~ p_i) per row;
 * the full GGN is MᵀM for the rows M_(i,c) = (J_iᵀ b_ic)ᵀ, one syrk per chunk. */
#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fc_config.h"
#include "fc_la.h"
#include "fc_model.h"
#include "fc_model_impl.h"
#include "fc_rng.h"

enum { MAX_HIDDEN = 2, CHUNK = 1024, MAX_WIDTH = 1000000 };
/* The full GGN's rows per chunk: (examples · C) × d doubles at most this many. */
#define FULL_ROWS_DOUBLES ((size_t)1 << 21)

/* m->param layout, filled by mlp_setup. */
enum { P_LAYERS, P_W1, P_W2, P_RELU, P_FISHER };

typedef struct {
    size_t L;                   /* hidden layers */
    size_t w[MAX_HIDDEN + 2];   /* widths: w[0] inputs, w[1..L] hidden, w[L+1] = C */
    size_t off[MAX_HIDDEN + 2]; /* θ offset of W_l (l = 1..L+1); b_l follows it */
    size_t ldx;                 /* X's row length (p, bias column included) */
    size_t hmax;                /* widest of w[1..L+1] */
    size_t wmax;                /* widest of w[0..L] (inputs of a layer) */
    int relu;
    int fisher; /* hdiag is the one-sample Monte Carlo Fisher diagonal */
} net_t;

static void net_of(const fc_model_t *m, net_t *n)
{
    n->L = (size_t)m->param[P_LAYERS];
    n->ldx = m->p;
    n->w[0] = m->p - (m->bias_column ? 1 : 0);
    n->w[1] = (size_t)m->param[P_W1];
    if (n->L == 2) n->w[2] = (size_t)m->param[P_W2];
    n->w[n->L + 1] = (size_t)m->classes;
    size_t off = 0;
    n->hmax = 0;
    n->wmax = 0;
    for (size_t l = 1; l <= n->L + 1; l++) {
        n->off[l] = off;
        off += (n->w[l - 1] + 1) * n->w[l];
        if (n->w[l] > n->hmax) n->hmax = n->w[l];
        if (n->w[l - 1] > n->wmax) n->wmax = n->w[l - 1];
    }
    n->relu = m->param[P_RELU] != 0.0;
    n->fisher = m->param[P_FISHER] != 0.0;
}

/* ---------------------------------------------------------------- keys and setup ------ */

/* "64" or "128,64": one or two positive widths. Writes them to w (may be NULL). */
static int parse_hidden(const char *text, size_t *w, size_t *L, char *why, size_t wn)
{
    char buf[64], *save = NULL;
    size_t n = 0;
    if (!*text) {
        snprintf(why, wn, "empty: give one or two layer widths, e.g. 64 or 128,64");
        return -1;
    }
    if (strlen(text) >= sizeof buf || text[strlen(text) - 1] == ',') {
        snprintf(why, wn, "expected one or two comma-separated widths, got '%s'", text);
        return -1;
    }
    memcpy(buf, text, strlen(text) + 1);
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        long long v;
        char inner[128];
        while (*t == ' ')
            t++;
        if (n == MAX_HIDDEN) {
            snprintf(why, wn, "at most %d hidden layers, got '%s'", MAX_HIDDEN, text);
            return -1;
        }
        if (fc_parse_integer(t, 1, MAX_WIDTH, &v, inner, sizeof inner)) {
            snprintf(why, wn, "each width must be an integer in [1, %d], got '%s'", MAX_WIDTH,
                     text);
            return -1;
        }
        if (w) w[n] = (size_t)v;
        n++;
    }
    if (n == 0) {
        snprintf(why, wn, "expected one or two comma-separated widths, got '%s'", text);
        return -1;
    }
    if (L) *L = n;
    return 0;
}

static int check_hidden(const char *text, char *why, size_t wn)
{
    return parse_hidden(text, NULL, NULL, why, wn);
}

static int check_activation(const char *text, char *why, size_t wn)
{
    if (strcmp(text, "tanh") == 0 || strcmp(text, "relu") == 0) return 0;
    snprintf(why, wn, "unknown activation '%s' (expected tanh or relu)", text);
    return -1;
}

static int check_curvature(const char *text, char *why, size_t wn)
{
    if (strcmp(text, "ggn") == 0 || strcmp(text, "fisher_mc") == 0) return 0;
    snprintf(why, wn, "unknown curvature '%s' (expected ggn or fisher_mc)", text);
    return -1;
}

static const fc_model_key_t mlp_keys[] = {
    {"hidden", "64", "hidden layer widths: one or two, comma-separated (64 or 128,64)",
     check_hidden},
    {"activation", "tanh", "hidden units' activation: tanh or relu", check_activation},
    {"curvature", "ggn",
     "diagonal sites' curvature: ggn (the exact Gauss-Newton diagonal) or fisher_mc (a seeded "
     "one-sample Monte Carlo Fisher diagonal)",
     check_curvature},
    {NULL, NULL, NULL, NULL},
};

static int mlp_setup(fc_model_t *m, const char *(*value)(const char *key, const void *ctx),
                     const void *ctx)
{
    char why[256];
    size_t w[MAX_HIDDEN] = {0, 0}, L = 0;
    if (parse_hidden(value("hidden", ctx), w, &L, why, sizeof why))
        return fc_err_set(FC_ECONFIG, "model.hidden: %s", why);
    if (check_activation(value("activation", ctx), why, sizeof why))
        return fc_err_set(FC_ECONFIG, "model.activation: %s", why);
    if (check_curvature(value("curvature", ctx), why, sizeof why))
        return fc_err_set(FC_ECONFIG, "model.curvature: %s", why);
    size_t in = m->p - (m->bias_column ? 1 : 0);
    if (in == 0) return fc_err_set(FC_ECONFIG, "model mlp: needs at least one input feature");
    /* d = Σ_l (w_{l-1} + 1) w_l, in doubles as a guard against overflow. */
    double widths[MAX_HIDDEN + 2] = {(double)in, (double)w[0], (double)w[1], 0.0};
    widths[L + 1] = (double)m->classes;
    double d = 0.0;
    for (size_t l = 1; l <= L + 1; l++)
        d += (widths[l - 1] + 1.0) * widths[l];
    if (d > (double)INT_MAX)
        return fc_err_set(FC_ECONFIG,
                          "model.hidden: %.0f parameters exceed the BLAS index range (%d)", d,
                          INT_MAX);
    m->param[P_LAYERS] = (double)L;
    m->param[P_W1] = (double)w[0];
    m->param[P_W2] = (double)w[1];
    m->param[P_RELU] = strcmp(value("activation", ctx), "relu") == 0;
    m->param[P_FISHER] = strcmp(value("curvature", ctx), "fisher_mc") == 0;
    m->d = (size_t)d;
    return FC_OK;
}

/* SPEC §8: Glorot-normal weights, W_l ~ N(0, 2/(w_{l-1} + w_l)), zero biases, from the stream
 * (seed, "init"): a point off the saddle at 0 that every algorithm starts from. */
static void mlp_init_mean(const fc_model_t *m, uint64_t seed, double *mu0)
{
    net_t n;
    fc_rng_t r;
    net_of(m, &n);
    fc_rng_seed(&r, seed, 0x696e6974ULL /* "init" */, 0);
    fc_zero(m->d, mu0);
    for (size_t l = 1; l <= n.L + 1; l++) {
        double sd = sqrt(2.0 / (double)(n.w[l - 1] + n.w[l]));
        for (size_t t = 0; t < n.w[l - 1] * n.w[l]; t++)
            mu0[n.off[l] + t] = sd * fc_rng_normal(&r);
    }
}

/* ---------------------------------------------------------------- work layout --------- */

/* One chunk's buffers (R rows). */
typedef struct {
    double *A[MAX_HIDDEN + 1]; /* A[l]: R × w[l] activations, l = 1..L */
    double *T[MAX_HIDDEN + 1]; /* T[l]: R × w[l] tangents (GGN-vector products) */
    double *P;                 /* R × C logits, then probabilities */
    double *U;                 /* R × C tangent logits */
    double *D0, *D1;           /* (R·C) × hmax: backward deltas (stacked for the diagonal) */
    double *Sq;                /* R × wmax: squared layer inputs */
    double *Ss;                /* R × hmax: per-row sums of squared deltas */
    double *M;                 /* (rows_full · C) × d: the full GGN's Jacobian rows */
} bufs_t;

static size_t rows_of(size_t n)
{
    return n == 0 ? 1 : n < CHUNK ? n : CHUNK;
}

/* Examples per chunk of the full GGN: (examples · C) rows of d, within FULL_ROWS_DOUBLES. */
static size_t rows_full(const fc_model_t *m, size_t n)
{
    size_t per = fc_model__mul((size_t)m->classes, m->d), r = FULL_ROWS_DOUBLES / per;
    if (r < 1) r = 1;
    return r < rows_of(n) ? r : rows_of(n);
}

/* Doubles of each buffer, in bufs_t order; returns the total (SIZE_MAX on overflow). */
static size_t layout(const fc_model_t *m, size_t n, double *base, bufs_t *b)
{
    net_t nt;
    net_of(m, &nt);
    size_t R = rows_of(n), C = (size_t)m->classes, t = 0;
    size_t len[2 * MAX_HIDDEN + 7];
    double **ptr[2 * MAX_HIDDEN + 7];
    size_t k = 0;
    for (size_t l = 1; l <= nt.L; l++) {
        len[k] = fc_model__mul(R, nt.w[l]), ptr[k++] = &b->A[l];
        len[k] = fc_model__mul(R, nt.w[l]), ptr[k++] = &b->T[l];
    }
    len[k] = R * C, ptr[k++] = &b->P;
    len[k] = R * C, ptr[k++] = &b->U;
    len[k] = fc_model__mul(R * C, nt.hmax), ptr[k++] = &b->D0;
    len[k] = fc_model__mul(R * C, nt.hmax), ptr[k++] = &b->D1;
    len[k] = fc_model__mul(R, nt.wmax), ptr[k++] = &b->Sq;
    len[k] = fc_model__mul(R, nt.hmax), ptr[k++] = &b->Ss;
    len[k] = fc_model__mul(fc_model__mul(rows_full(m, n), C), m->d), ptr[k++] = &b->M;
    for (size_t i = 0; i < k; i++) {
        if (base) *ptr[i] = base + t;
        t = fc_model__add(t, len[i]);
    }
    return t;
}

static size_t mlp_work_size(const fc_model_t *m, size_t n)
{
    bufs_t b;
    return layout(m, n, NULL, &b);
}

/* ---------------------------------------------------------------- passes -------------- */

static size_t label(double y, size_t C)
{
    assert(y >= 0.0 && y < (double)C && y == floor(y));
    (void)C;
    return (size_t)y;
}

/* A ∘= σ'(A) row by row: D (rows × w, ld w) times σ' of the activation of row r / rep. */
static void times_dsigma(const net_t *n, size_t rows, size_t rep, size_t w, const double *A,
                         double *D)
{
    for (size_t r = 0; r < rows; r++) {
        const double *a = A + (r / rep) * w;
        double *dr = D + r * w;
        if (n->relu)
            for (size_t o = 0; o < w; o++)
                dr[o] = a[o] > 0.0 ? dr[o] : 0.0;
        else
            for (size_t o = 0; o < w; o++)
                dr[o] *= 1.0 - a[o] * a[o];
    }
}

/* tanh(x) = sign(x)·(−e/(e + 2)) with e = expm1(−2|x|) ∈ (−1, 0]: within an ulp or two of
 * libm's tanh, never overflows, and two to three times faster (the forward pass evaluates
 * one per hidden unit and example, as many as a fifth of its flops). */
static double fast_tanh(double x)
{
    double e = expm1(-2.0 * fabs(x)), t = -e / (e + 2.0);
    return x < 0.0 ? -t : t;
}

/* Z = In W_l + 1 b_lᵀ (rows × w_l) for the layer's input In (ld ldi). */
static void affine(const net_t *n, size_t l, const double *theta, size_t rows, const double *In,
                   size_t ldi, double *Z)
{
    const size_t wi = n->w[l - 1], wo = n->w[l];
    const double *W = theta + n->off[l], *bias = W + wi * wo;
    for (size_t r = 0; r < rows; r++)
        fc_copy(wo, bias, Z + r * wo);
    fc_gemm(0, 0, rows, wo, wi, 1.0, In, ldi, W, wo, 1.0, Z, wo);
}

/* The forward pass of rows X (ld n->ldx): activations into b->A, logits into b->P. */
static void forward(const net_t *n, const double *theta, const double *X, size_t rows,
                    const bufs_t *b)
{
    const double *in = X;
    size_t ldi = n->ldx;
    for (size_t l = 1; l <= n->L; l++) {
        double *A = b->A[l];
        affine(n, l, theta, rows, in, ldi, A);
        if (n->relu)
            for (size_t t = 0; t < rows * n->w[l]; t++)
                A[t] = A[t] > 0.0 ? A[t] : 0.0;
        else
            for (size_t t = 0; t < rows * n->w[l]; t++)
                A[t] = fast_tanh(A[t]);
        in = A;
        ldi = n->w[l];
    }
    affine(n, n->L + 1, theta, rows, in, ldi, b->P);
}

/* Layer l's input in the chunk (X for l = 1) and its leading dimension. */
static const double *layer_input(const net_t *n, size_t l, const double *X, const bufs_t *b,
                                 size_t *ld)
{
    *ld = l == 1 ? n->ldx : n->w[l - 1];
    return l == 1 ? X : b->A[l - 1];
}

/* Logits → probabilities in place (stable: the row max subtracted); the rows' loss
 * Σ logsumexp(z) − z_y; with G, also G = P − Y, its y-entry −Σ_{c≠y} e_c / Σ_c e_c so that
 * 1 − p_y keeps its relative precision for confident rows. */
static double softmax_rows(size_t rows, size_t C, const double *y, double *P, double *G)
{
    double sum = 0.0;
    for (size_t i = 0; i < rows; i++) {
        double *z = P + i * C, mx = z[0], s = 0.0, rest = 0.0;
        size_t yi = label(y[i], C);
        for (size_t c = 1; c < C; c++)
            if (z[c] > mx) mx = z[c];
        double zy = z[yi];
        for (size_t c = 0; c < C; c++) {
            z[c] = exp(z[c] - mx);
            s += z[c];
            if (c != yi) rest += z[c];
        }
        sum += (mx - zy) + log(s);
        for (size_t c = 0; c < C; c++)
            z[c] /= s;
        if (G) {
            for (size_t c = 0; c < C; c++)
                G[i * C + c] = z[c];
            G[i * C + yi] = -rest / s;
        }
    }
    return sum;
}

/* Δ_{l-1} = (Δ_l W_lᵀ) ∘ σ'(A_{l-1}) for rows stacked rep per example. */
static void propagate(const net_t *n, size_t l, const double *theta, size_t rows, size_t rep,
                      const double *Dl, const bufs_t *b, double *Dprev)
{
    const size_t wi = n->w[l - 1], wo = n->w[l];
    fc_gemm(0, 1, rows, wi, wo, 1.0, Dl, wo, theta + n->off[l], wo, 0.0, Dprev, wi);
    times_dsigma(n, rows, rep, wi, b->A[l - 1], Dprev);
}

/* grad += Jᵀ G over the chunk: the backward pass from the logits' gradient G (rows × C). */
static void backward(const net_t *n, const double *theta, const double *X, size_t rows,
                     const double *G, const bufs_t *b, double *grad)
{
    const double *D = G;
    double *next = b->D0;
    for (size_t l = n->L + 1; l >= 1; l--) {
        size_t ld, wi = n->w[l - 1], wo = n->w[l];
        const double *in = layer_input(n, l, X, b, &ld);
        double *gW = grad + n->off[l], *gb = gW + wi * wo;
        fc_gemm(1, 0, wi, wo, rows, 1.0, in, ld, D, wo, 1.0, gW, wo);
        for (size_t r = 0; r < rows; r++)
            fc_axpy(wo, 1.0, D + r * wo, gb);
        if (l == 1) break;
        propagate(n, l, theta, rows, 1, D, b, next);
        D = next;
        next = next == b->D0 ? b->D1 : b->D0;
    }
}

/* diag += Σ_rows (J_iᵀ v_r)² for directions v_r (rows·rep × C in D_top, rep per example):
 * per layer, Ss[i] = Σ_c Δ_(i,c) ∘ Δ_(i,c), then diag W_l += (In ∘ In)ᵀ Ss. D_top is b->D0
 * or b->D1 and is overwritten. */
static void diag_accumulate(const net_t *n, const double *theta, const double *X, size_t rows,
                            size_t rep, double *Dtop, const bufs_t *b, double *diag)
{
    double *D = Dtop, *next = D == b->D0 ? b->D1 : b->D0;
    for (size_t l = n->L + 1; l >= 1; l--) {
        size_t ld, wi = n->w[l - 1], wo = n->w[l];
        const double *in = layer_input(n, l, X, b, &ld);
        double *dW = diag + n->off[l], *db = dW + wi * wo;
        fc_zero(rows * wo, b->Ss);
        for (size_t r = 0; r < rows * rep; r++) {
            const double *dr = D + r * wo;
            double *s = b->Ss + (r / rep) * wo;
            for (size_t o = 0; o < wo; o++)
                s[o] += dr[o] * dr[o];
        }
        for (size_t i = 0; i < rows; i++)
            for (size_t j = 0; j < wi; j++)
                b->Sq[i * wi + j] = in[i * ld + j] * in[i * ld + j];
        fc_gemm(1, 0, wi, wo, rows, 1.0, b->Sq, wi, b->Ss, wo, 1.0, dW, wo);
        for (size_t i = 0; i < rows; i++)
            fc_axpy(wo, 1.0, b->Ss + i * wo, db);
        if (l == 1) break;
        propagate(n, l, theta, rows * rep, rep, D, b, next);
        double *t = D;
        D = next;
        next = t;
    }
}

/* The stacked directions b_ic = √p_ic (e_c − p_i) of Λ_i = B_i B_iᵀ: row (i, c) of D. */
static void lambda_factor(size_t rows, size_t C, const double *P, double *D)
{
    for (size_t i = 0; i < rows; i++)
        for (size_t c = 0; c < C; c++) {
            const double *p = P + i * C;
            double *row = D + (i * C + c) * C, sq = sqrt(p[c]);
            for (size_t o = 0; o < C; o++)
                row[o] = -sq * p[o];
            row[c] += sq;
        }
}

/* A 64-bit fingerprint (FNV-1a) of n doubles, mixed into h. */
static uint64_t fingerprint(uint64_t h, size_t n, const double *x)
{
    const unsigned char *b = (const unsigned char *)x;
    for (size_t t = 0; t < n * sizeof(double); t++)
        h = (h ^ b[t]) * 0x100000001b3ULL;
    return h;
}

/* The Monte Carlo Fisher's stream: (run seed, "fisher", a fingerprint of θ and of the block),
 * so the draws depend on what is evaluated, never on which rank evaluates it. */
static void fisher_stream(const fc_model_t *m, const double *X, const double *y, size_t n,
                          const double *theta, fc_rng_t *r)
{
    uint64_t h = fingerprint(0xcbf29ce484222325ULL, m->d, theta);
    h = fingerprint(h, n, y);
    h = fingerprint(h, m->p, X);
    h = fingerprint(h, m->p, X + (n - 1) * m->p);
    fc_rng_seed(r, m->seed, 0x666973686572ULL /* "fisher" */, h);
}

/* One sampled direction per row: p_i − e_ŷ with ŷ ~ p_i (its outer product has mean Λ_i). */
static void fisher_directions(size_t rows, size_t C, const double *P, fc_rng_t *r, double *D)
{
    for (size_t i = 0; i < rows; i++) {
        const double *p = P + i * C;
        double u = fc_rng_uniform(r), acc = 0.0;
        size_t k = C - 1;
        for (size_t c = 0; c < C; c++) {
            acc += p[c];
            if (u < acc) {
                k = c;
                break;
            }
        }
        for (size_t c = 0; c < C; c++)
            D[i * C + c] = p[c];
        D[i * C + k] -= 1.0;
    }
}

/* The full GGN of rows examples (forward pass done): M's row (i, c) is (J_iᵀ b_ic)ᵀ, laid out
 * as θ (W_l's entry (j, o) = In_ij Δ_(i,c),o; b_l's = Δ_(i,c),o); H += MᵀM. */
static void ggn_full_chunk(const net_t *n, const fc_model_t *m, const double *theta,
                           const double *X, size_t rows, const bufs_t *b, double *H)
{
    const size_t C = (size_t)m->classes, d = m->d, nr = rows * C;
    double *D = b->D0, *next = b->D1;
    lambda_factor(rows, C, b->P, D);
    for (size_t l = n->L + 1; l >= 1; l--) {
        size_t ld, wi = n->w[l - 1], wo = n->w[l];
        const double *in = layer_input(n, l, X, b, &ld);
        for (size_t r = 0; r < nr; r++) {
            const double *x = in + (r / C) * ld, *dr = D + r * wo;
            double *row = b->M + r * d + n->off[l];
            for (size_t j = 0; j < wi; j++)
                for (size_t o = 0; o < wo; o++)
                    row[j * wo + o] = x[j] * dr[o];
            fc_copy(wo, dr, row + wi * wo);
        }
        if (l == 1) break;
        propagate(n, l, theta, nr, C, D, b, next);
        double *t = D;
        D = next;
        next = t;
    }
    fc_syrk_t(d, nr, 1.0, b->M, d, 1.0, H, d);
}

static void mlp_eval(const fc_model_t *m, const double *X, const double *y, size_t n,
                     const double *theta, double *loss, double *grad, double *hess, double *hdiag,
                     double *work)
{
    const size_t C = (size_t)m->classes, R = rows_of(n);
    net_t nt;
    bufs_t b;
    fc_rng_t rng;
    if (n == 0) {
        fc_model__eval_empty(m, loss, grad, hess, hdiag);
        return;
    }
    net_of(m, &nt);
    (void)layout(m, n, work, &b);
    if (grad) fc_zero(m->d, grad);
    if (hdiag) fc_zero(m->d, hdiag);
    if (hdiag && nt.fisher) fisher_stream(m, X, y, n, theta, &rng);
    double sum = 0.0;
    for (size_t i0 = 0; i0 < n; i0 += R) {
        size_t rows = n - i0 < R ? n - i0 : R;
        const double *Xc = X + i0 * nt.ldx;
        forward(&nt, theta, Xc, rows, &b);
        sum += softmax_rows(rows, C, y + i0, b.P, grad ? b.U : NULL);
        if (grad) backward(&nt, theta, Xc, rows, b.U, &b, grad);
        if (hdiag && nt.fisher) {
            fisher_directions(rows, C, b.P, &rng, b.D0);
            diag_accumulate(&nt, theta, Xc, rows, 1, b.D0, &b, hdiag);
        } else if (hdiag) {
            lambda_factor(rows, C, b.P, b.D0);
            diag_accumulate(&nt, theta, Xc, rows, C, b.D0, &b, hdiag);
        }
    }
    *loss = sum;
    if (!hess) return;
    /* The full GGN in chunks small enough for the rows M (d columns each). */
    const size_t Rf = rows_full(m, n);
    fc_zero(m->d * m->d, hess);
    for (size_t i0 = 0; i0 < n; i0 += Rf) {
        size_t rows = n - i0 < Rf ? n - i0 : Rf;
        const double *Xc = X + i0 * nt.ldx;
        forward(&nt, theta, Xc, rows, &b);
        (void)softmax_rows(rows, C, y + i0, b.P, NULL);
        ggn_full_chunk(&nt, m, theta, Xc, rows, &b, hess);
    }
}

/* Tangent logits U = J v (forward mode): dZ_l = T_{l-1} W_l + In_l dW_l + 1 db_lᵀ,
 * T_l = σ'(A_l) ∘ dZ_l (T_0 = 0: the inputs do not move). */
static void tangent(const net_t *n, const double *theta, const double *v, const double *X,
                    size_t rows, const bufs_t *b)
{
    for (size_t l = 1; l <= n->L + 1; l++) {
        size_t ld, wi = n->w[l - 1], wo = n->w[l];
        const double *in = layer_input(n, l, X, b, &ld);
        double *T = l <= n->L ? b->T[l] : b->U;
        affine(n, l, v, rows, in, ld, T); /* In dW + 1 dbᵀ */
        if (l > 1)
            fc_gemm(0, 0, rows, wo, wi, 1.0, b->T[l - 1], wi, theta + n->off[l], wo, 1.0, T, wo);
        if (l <= n->L) times_dsigma(n, rows, 1, wo, b->A[l], T);
    }
}

/* out = G v = Σ_i J_iᵀ Λ_i (J_i v): forward, tangent, Λ applied per row, backward. */
static void mlp_hvp(const fc_model_t *m, const double *X, const double *y, size_t n,
                    const double *theta, const double *v, double *out, double *work)
{
    const size_t C = (size_t)m->classes, R = rows_of(n);
    net_t nt;
    bufs_t b;
    fc_zero(m->d, out);
    if (n == 0) return;
    net_of(m, &nt);
    (void)layout(m, n, work, &b);
    for (size_t i0 = 0; i0 < n; i0 += R) {
        size_t rows = n - i0 < R ? n - i0 : R;
        const double *Xc = X + i0 * nt.ldx;
        forward(&nt, theta, Xc, rows, &b);
        (void)softmax_rows(rows, C, y + i0, b.P, NULL);
        tangent(&nt, theta, v, Xc, rows, &b);
        for (size_t i = 0; i < rows; i++) { /* U_i = p_i ∘ (u_i − p_iᵀu_i) = Λ_i u_i */
            double *u = b.U + i * C, pu = 0.0;
            const double *p = b.P + i * C;
            for (size_t c = 0; c < C; c++)
                pu += p[c] * u[c];
            for (size_t c = 0; c < C; c++)
                u[c] = p[c] * (u[c] - pu);
        }
        backward(&nt, theta, Xc, rows, b.U, &b, out);
    }
}

/* ------------------------------------------------ block products (lowrank family) ------ */

/* Rows per chunk of a block product with s directions: the stacked tangents (rows·s × w)
 * stay within the single-product chunk's size. */
static size_t rows_block(size_t n, size_t s)
{
    size_t r = CHUNK / (s ? s : 1);
    if (r < 1) r = 1;
    return r < rows_of(n) ? r : rows_of(n);
}

/* Buffers of a block product: forward activations A[l] (R × w_l), probabilities P (R × C), and
 * per direction t the stacked rows (i, t): tangents and deltas T0, T1 ((R·s) × hmax),
 * plus Y (R × hmax·s) for the [i][o][t] ↔ [i][t][o] reorderings. */
typedef struct {
    double *A[MAX_HIDDEN + 1], *P, *T0, *T1, *Y;
} bbufs_t;

static size_t block_layout(const fc_model_t *m, size_t n, size_t s, double *base, bbufs_t *b)
{
    net_t nt;
    net_of(m, &nt);
    size_t R = rows_block(n, s), wm = nt.hmax, t = 0, k = 0;
    size_t len[MAX_HIDDEN + 5];
    double **ptr[MAX_HIDDEN + 5];
    for (size_t l = 1; l <= nt.L; l++)
        len[k] = fc_model__mul(R, nt.w[l]), ptr[k++] = &b->A[l];
    len[k] = fc_model__mul(R, (size_t)m->classes), ptr[k++] = &b->P;
    for (int i = 0; i < 3; i++)
        len[k] = fc_model__mul(fc_model__mul(R, s), wm), ptr[k++] = i == 0   ? &b->T0
                                                                    : i == 1 ? &b->T1
                                                                             : &b->Y;
    for (size_t i = 0; i < k; i++) {
        if (base) *ptr[i] = base + t;
        t = fc_model__add(t, len[i]);
    }
    return t;
}

static size_t mlp_hvp_block_work(const fc_model_t *m, size_t n, size_t s)
{
    bbufs_t b;
    return block_layout(m, n, s, NULL, &b);
}

/* Y [i][o][t] (rows × w·s) → T [i][t][o] ((rows·s) × w), and back. */
static void to_stacked(size_t rows, size_t w, size_t s, const double *Y, double *T)
{
    for (size_t i = 0; i < rows; i++)
        for (size_t o = 0; o < w; o++)
            for (size_t t = 0; t < s; t++)
                T[(i * s + t) * w + o] = Y[(i * w + o) * s + t];
}

static void from_stacked(size_t rows, size_t w, size_t s, const double *T, double *Y)
{
    for (size_t i = 0; i < rows; i++)
        for (size_t t = 0; t < s; t++)
            for (size_t o = 0; o < w; o++)
                Y[(i * w + o) * s + t] = T[(i * s + t) * w + o];
}

/* out (d×s) = G V for V (d×s), both row-major in θ's layout with s columns: the product of
 * mlp_hvp for s directions at once. V's slice of W_l is the w_{l−1} × (w_l·s) matrix whose
 * column o·s + t is direction t of unit o, so In dW for every direction is one gemm; the
 * tangents and deltas are stacked as rows (i, t), so T W_l and Δ W_lᵀ are one gemm each;
 * the gradient of W_l for every direction is Inᵀ (rows × w_l·s), one gemm into out's slice. */
static void mlp_hvp_block(const fc_model_t *m, const double *X, const double *y, size_t n,
                          const double *theta, size_t s, const double *V, double *out, double *work)
{
    const size_t C = (size_t)m->classes, R = rows_block(n, s);
    net_t nt;
    bbufs_t b;
    bufs_t fb = {{NULL}, {NULL}, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    fc_zero(m->d * s, out);
    if (n == 0 || s == 0) return;
    net_of(m, &nt);
    (void)block_layout(m, n, s, work, &b);
    for (size_t l = 1; l <= nt.L; l++)
        fb.A[l] = b.A[l];
    fb.P = b.P;
    for (size_t i0 = 0; i0 < n; i0 += R) {
        size_t rows = n - i0 < R ? n - i0 : R, rs = rows * s;
        const double *Xc = X + i0 * nt.ldx;
        double *T = b.T0, *Tn = b.T1;
        forward(&nt, theta, Xc, rows, &fb);
        (void)softmax_rows(rows, C, y + i0, b.P, NULL);
        /* Tangents: dZ_l = T_{l−1} W_l + In dW_l + 1 db_lᵀ, per direction. */
        for (size_t l = 1; l <= nt.L + 1; l++) {
            size_t ld, wi = nt.w[l - 1], wo = nt.w[l];
            const double *in = layer_input(&nt, l, Xc, &fb, &ld);
            const double *dW = V + nt.off[l] * s, *db = dW + wi * wo * s;
            fc_gemm(0, 0, rows, wo * s, wi, 1.0, in, ld, dW, wo * s, 0.0, b.Y, wo * s);
            to_stacked(rows, wo, s, b.Y, Tn);
            for (size_t r = 0; r < rs; r++)
                for (size_t o = 0; o < wo; o++)
                    Tn[r * wo + o] += db[o * s + r % s];
            if (l > 1) fc_gemm(0, 0, rs, wo, wi, 1.0, T, wi, theta + nt.off[l], wo, 1.0, Tn, wo);
            if (l <= nt.L) times_dsigma(&nt, rs, s, wo, b.A[l], Tn);
            double *t = T;
            T = Tn;
            Tn = t;
        }
        /* Λ_i on each direction's tangent logits: u ← p ∘ (u − pᵀu). */
        for (size_t r = 0; r < rs; r++) {
            const double *p = b.P + (r / s) * C;
            double *u = T + r * C, pu = 0.0;
            for (size_t c = 0; c < C; c++)
                pu += p[c] * u[c];
            for (size_t c = 0; c < C; c++)
                u[c] = p[c] * (u[c] - pu);
        }
        /* Backward for every direction: out_W_l += Inᵀ Δ_l (Δ_l reordered to [i][o][t]). */
        for (size_t l = nt.L + 1; l >= 1; l--) {
            size_t ld, wi = nt.w[l - 1], wo = nt.w[l];
            const double *in = layer_input(&nt, l, Xc, &fb, &ld);
            double *oW = out + nt.off[l] * s, *ob = oW + wi * wo * s;
            from_stacked(rows, wo, s, T, b.Y);
            fc_gemm(1, 0, wi, wo * s, rows, 1.0, in, ld, b.Y, wo * s, 1.0, oW, wo * s);
            for (size_t i = 0; i < rows; i++)
                fc_axpy(wo * s, 1.0, b.Y + i * wo * s, ob);
            if (l == 1) break;
            propagate(&nt, l, theta, rs, s, T, &fb, Tn);
            double *t = T;
            T = Tn;
            Tn = t;
        }
    }
}

/* Predict the first argmax of the logits. */
static size_t mlp_correct(const fc_model_t *m, const double *X, const double *y, size_t n,
                          const double *theta, double *work)
{
    const size_t C = (size_t)m->classes, R = rows_of(n);
    size_t hits = 0;
    net_t nt;
    bufs_t b;
    if (n == 0) return 0;
    net_of(m, &nt);
    (void)layout(m, n, work, &b);
    for (size_t i0 = 0; i0 < n; i0 += R) {
        size_t rows = n - i0 < R ? n - i0 : R;
        forward(&nt, theta, X + i0 * nt.ldx, rows, &b);
        for (size_t i = 0; i < rows; i++) {
            const double *a = b.P + i * C;
            size_t k = 0;
            for (size_t c = 1; c < C; c++)
                if (a[c] > a[k]) k = c;
            hits += k == label(y[i0 + i], C);
        }
    }
    return hits;
}

const fc_model_ops_t fc_model_mlp_ops = {
    .name = "mlp",
    .labels = FC_LABEL_CLASS,
    .eval = mlp_eval,
    .hvp = mlp_hvp,
    .hvp_block = mlp_hvp_block, /* lowrank family */
    .hvp_block_work = mlp_hvp_block_work,
    .correct = mlp_correct,
    .work_size = mlp_work_size,
    .keys = mlp_keys,
    .setup = mlp_setup,
    .init_mean = mlp_init_mean,
};
