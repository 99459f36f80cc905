/* fc_family_lowrank.c — the low-rank-plus-diagonal family (SPEC §12): a site is
 * H_k = U_k U_kᵀ + diag(D_k), U_k d×r from the top-r eigenpairs of the client's curvature
 * (randomized subspace iteration on block curvature products, never a d×d matrix), D_k
 * the rest of the curvature's diagonal clipped at 0. The server solves through Woodbury.
 *
 * Layouts (row-major d×n blocks; r = algorithm.rank, Q = K·r, q = min(server_rank, Q)):
 *   site H_k (site_len):  [updates | D_k (d) | U_k (d×r)]
 *   sums ΣH, a client's term and change (prec_len):
 *                          [HDR | ΣD (d) | U_0 (d×r) | ... | U_{K−1} (d×r) | spare]
 *                          client k writes its own block only, so the sum over clients in
 *                          client order is the stack V = [U_0 ... U_{K−1}] exactly.
 *   server S_t:            [ncols, exact, .. | S_diag (d) | W (d×ncols)], S_t = diag + WWᵀ;
 *                          exact (Q ≤ q): W = V; else W Wᵀ = the best rank-q part of VVᵀ and
 *                          S_diag also holds the diagonal of the part dropped.
 *   cavity P:              [nw, nu, .. | D_c (d) | W' (d×nw) | U (d×nu)], P = D_c + W'W'ᵀ − UUᵀ.
 * Damping of U is not linear: (1−α)U_oU_oᵀ + αU_nU_nᵀ has rank 2r and is recompressed to
 * its best rank-r part, the diagonal of the rest going to D (α = 1 is a copy). */
#include <math.h>
#include <string.h>

#include "fc_family.h"
#include "fc_la.h"
#include "fc_lowrank.h"
#include "fc_rng.h"

#define HDR 4
/* Subspace iteration: extra columns, residual tolerance (relative to λ_max), products. */
#define LR_OVERSAMPLE 8
#define LR_TOL 1e-8
#define LR_MAX_ITER 12
/* Stream tag of the starting blocks (seed, tag ^ client, update count). */
#define LR_STREAM 0x6c6f7772616e6bULL

static size_t stack_cols(const fc_family_dims_t *fd)
{
    return fd->K * fd->rank;
}

static size_t server_cols(const fc_family_dims_t *fd)
{
    size_t Q = stack_cols(fd), q = fd->server_rank ? fd->server_rank : Q;
    return q < Q ? q : Q;
}

static size_t block_cols(const fc_family_dims_t *fd)
{
    size_t s = fd->rank + LR_OVERSAMPLE;
    return s < fd->d ? s : fd->d;
}

/* Scratch the damping uses at the end of a change array (a 2r×2r Gram matrix, its r
 * columns of coefficients, the compression's work and the 2r weights). */
static size_t damp_tail(const fc_family_dims_t *fd)
{
    size_t n = 2 * fd->rank;
    return n * n + n * fd->rank + fc_lr_compress_work(n) + n + 8;
}

static size_t lr_site_len(const fc_family_dims_t *fd)
{
    return 1 + fd->d + fd->d * fd->rank;
}

static size_t lr_prec_len(const fc_family_dims_t *fd)
{
    return HDR + fd->d + fd->d * (stack_cols(fd) + fd->rank) + damp_tail(fd);
}

/* The posterior's scratch: the stack (d×Q), then the Woodbury solve's work, or the Gram
 * matrix, the coefficients and the compression's work. */
static size_t lr_factor_len(const fc_family_dims_t *fd)
{
    size_t d = fd->d, Q = stack_cols(fd), q = server_cols(fd);
    size_t comp = Q * Q + Q * q + Q + fc_lr_compress_work(Q), solve = fc_lr_solve_work(d, Q, 0);
    return d * Q + (comp > solve ? comp : solve);
}

/* The cavity P and the new site; with check_pd, a Woodbury solve's work for the check. */
static size_t lr_work_len(const fc_family_dims_t *fd, int check_pd)
{
    size_t pd = check_pd ? fd->d + fc_lr_solve_work(fd->d, stack_cols(fd), fd->rank) : 0;
    return lr_prec_len(fd) + lr_site_len(fd) + pd;
}

/* Curvature scratch: the block, the subspace iteration's work, λ, two d-vectors (a
 * column-at-a-time product when the model has no block product), the model's block work. */
static size_t lr_scratch_len(const fc_family_dims_t *fd, const fc_model_t *m, size_t max_n)
{
    size_t d = fd->d, s = block_cols(fd);
    size_t bw = m->ops->hvp_block_work ? m->ops->hvp_block_work(m, max_n, s) : 0;
    return d * s + fc_lr_top_eig_work(d, s) + fd->rank + 2 * d + bw;
}

static void lr_prior(const fc_family_dims_t *fd, double delta, double *S)
{
    S[0] = 0.0, S[1] = 0.0;
    for (size_t i = 0; i < fd->d; i++)
        S[HDR + i] = delta;
}

/* Row-major d×Q stack of the K blocks of the sums (client k's block is columns kr..kr+r−1). */
static void stack_blocks(const fc_family_dims_t *fd, const double *blocks, double *Z)
{
    size_t d = fd->d, r = fd->rank, Q = stack_cols(fd);
    for (size_t k = 0; k < fd->K; k++)
        for (size_t i = 0; i < d; i++)
            fc_copy(r, blocks + k * d * r + i * r, Z + i * Q + k * r);
}

/* res_i += max(0, Σ_j c_j Z_ij² − Σ_j W_ij²): the diagonal of Z diag(c) Zᵀ − W Wᵀ, the part
 * a compression drops (PSD when c ≥ 0), so the compressed matrix keeps the diagonal. */
static void add_dropped_diag(size_t d, size_t n, const double *Z, const double *c, size_t q,
                             const double *W, double *res)
{
    for (size_t i = 0; i < d; i++) {
        double s = 0.0;
        for (size_t j = 0; j < n; j++)
            s += c[j] * Z[i * n + j] * Z[i * n + j];
        for (size_t j = 0; j < q; j++)
            s -= W[i * q + j] * W[i * q + j];
        res[i] += s > 0.0 ? s : 0.0;
    }
}

/* SPEC §2 (D) and §12: m = S⁻¹(Σh + δμ₀) with the exact S = δI + ΣD + VVᵀ (Woodbury on the
 * stack V, Q columns), so the fixed point is θ* whatever the server rank. The state sent to
 * the clients, S_t: exact while Q ≤ server_rank; else VVᵀ is replaced by its best rank-q part
 * (eigendecomposition of the Q×Q Gram matrix) and the diagonal of the rest. */
static int lr_posterior(const fc_family_dims_t *fd, double delta, const double *mu0,
                        const double *sum_h, const double *sum_H, double *m, double *S, double *L)
{
    size_t d = fd->d, Q = stack_cols(fd), q = server_cols(fd);
    double *Sd = S + HDR, *W = Sd + d, *Z = Q <= q ? W : L, *work = Q <= q ? L : L + d * Q;
    int err;
    for (size_t i = 0; i < d; i++)
        Sd[i] = delta + sum_H[HDR + i];
    stack_blocks(fd, sum_H + HDR + d, Z);
    fc_copy(d, sum_h, m);
    if (mu0) fc_axpy(d, delta, mu0, m);
    err = fc_lr_solve(d, Sd, Q, Z, 0, NULL, m, work, "server precision S_t");
    if (err) return err;
    S[0] = (double)(Q <= q ? Q : q);
    S[1] = Q <= q;
    if (Q <= q) return FC_OK;
    double *G = work, *Mc = G + Q * Q, *c = Mc + Q * q, *cw = c + Q;
    size_t kept;
    fc_syrk_t(Q, d, 1.0, Z, Q, 0.0, G, Q);
    for (size_t j = 0; j < Q; j++)
        c[j] = 1.0;
    err = fc_lr_compress_coef(Q, G, c, q, Mc, &kept, cw);
    if (err) return err;
    fc_gemm(0, 0, d, q, Q, 1.0, Z, Q, Mc, q, 0.0, W, q);
    add_dropped_diag(d, Q, Z, c, q, W, Sd);
    return FC_OK;
}

/* The structured local quadratic: P = D_c + W'W'ᵀ − UUᵀ (fc_solver.h's fc_quad_t). */
static void quad_parts(const fc_quad_t *q, size_t d, size_t *nw, size_t *nu, const double **Dc,
                       const double **W, const double **U)
{
    *nw = (size_t)q->P[0], *nu = (size_t)q->P[1];
    *Dc = q->P + HDR, *W = *Dc + d, *U = *W + d * *nw;
}

static void quad_apply(const fc_quad_t *q, size_t d, const double *v, double *out)
{
    size_t nw, nu;
    const double *Dc, *W, *U;
    quad_parts(q, d, &nw, &nu, &Dc, &W, &U);
    fc_lr_apply(d, Dc, nw, W, nu, U, v, 0, out);
}

static void quad_apply_add(const fc_quad_t *q, size_t d, const double *v, double *out)
{
    size_t nw, nu;
    const double *Dc, *W, *U;
    quad_parts(q, d, &nw, &nu, &Dc, &W, &U);
    fc_lr_apply(d, Dc, nw, W, nu, U, v, 1, out);
}

/* The dense Newton system for small d: A += D_c + W'W'ᵀ − UUᵀ. */
static void quad_add_dense(const fc_quad_t *q, size_t d, double *A)
{
    size_t nw, nu;
    const double *Dc, *W, *U;
    quad_parts(q, d, &nw, &nu, &Dc, &W, &U);
    for (size_t i = 0; i < d; i++)
        A[i * d + i] += Dc[i];
    if (nw) fc_gemm(0, 1, d, d, nw, 1.0, W, nw, W, nw, 1.0, A, d);
    if (nu) fc_gemm(0, 1, d, d, nu, -1.0, U, nu, U, nu, 1.0, A, d);
}

static const fc_quad_ops_t lowrank_quad = {quad_apply, quad_apply_add, quad_add_dense};

/* SPEC §3.1 step 1: P = S − H_k, b = S m − h_k. With the exact stack the client drops its
 * own columns (P = D_c + V₋ₖV₋ₖᵀ, PSD by construction); with the compressed state it
 * subtracts U_kU_kᵀ, which can leave P indefinite: the check then (check_pd) is a Woodbury
 * factorisation of P, and otherwise the local Newton system's own check. */
static int lr_cavity(const fc_family_dims_t *fd, size_t k, double rho, const double *m,
                     const double *S, const double *h, const double *H, double *P, double *b,
                     int check_pd, double *chol_tmp, fc_quad_t *q)
{
    size_t d = fd->d, r = fd->rank, ncols = (size_t)S[0], nw = ncols, nu = 0;
    const double *Sd = S + HDR, *W = Sd + d, *Dk = H + 1, *Uk = H + 1 + d;
    double *Dc = P + HDR, *Wc = Dc + d;
    (void)rho;
    for (size_t i = 0; i < d; i++) {
        Dc[i] = Sd[i] - Dk[i];
        if (!(Dc[i] > 0.0))
            return fc_err_set(FC_ENOTSPD,
                              "cavity precision is not positive definite (diagonal entry %zu: %g)",
                              i, Dc[i]);
    }
    fc_lr_apply(d, Sd, ncols, W, 0, NULL, m, 0, b);
    fc_axpy(d, -1.0, h, b);
    if (S[1] != 0.0 && ncols == stack_cols(fd)) {
        nw = ncols - r; /* the stack without client k's block */
        for (size_t i = 0; i < d; i++) {
            fc_copy(k * r, W + i * ncols, Wc + i * nw);
            fc_copy(nw - k * r, W + i * ncols + (k + 1) * r, Wc + i * nw + k * r);
        }
    } else {
        nu = r;
        fc_copy(d * nw, W, Wc);
        fc_copy(d * r, Uk, Wc + d * nw);
    }
    P[0] = (double)nw, P[1] = (double)nu;
    *q = (fc_quad_t){.ops = &lowrank_quad, .P = P, .rho = 0.0, .b = b};
    if (!check_pd || nu == 0) return FC_OK;
    fc_copy(d, b, chol_tmp);
    return fc_lr_solve(d, Dc, nw, Wc, nu, Wc + d * nw, chol_tmp, chol_tmp + d, "cavity precision");
}

/* Block curvature products for the subspace iteration: the model's level-3 product, or
 * one Hessian-vector product per column. */
typedef struct {
    const fc_model_t *m;
    const fc_data_t *blk;
    const double *theta;
    double *work, *vcol, *ocol, *bwork;
} block_ctx_t;

static void curvature_block(void *ctx, size_t s, const double *V, double *out)
{
    block_ctx_t *c = ctx;
    const fc_model_t *m = c->m;
    size_t d = m->d;
    if (m->ops->hvp_block) {
        m->ops->hvp_block(m, c->blk->X, c->blk->y, c->blk->n, c->theta, s, V, out, c->bwork);
        return;
    }
    for (size_t t = 0; t < s; t++) {
        for (size_t i = 0; i < d; i++)
            c->vcol[i] = V[i * s + t];
        m->ops->hvp(m, c->blk->X, c->blk->y, c->blk->n, c->theta, c->vcol, c->ocol, c->work);
        for (size_t i = 0; i < d; i++)
            out[i * s + t] = c->ocol[i];
    }
}

/* The starting block: the current site's columns (a warm start: the curvature moves little
 * between rounds), then seeded normal columns from (seed, client, update count). */
static void start_block(const fc_family_dims_t *fd, size_t k, const double *H_old, size_t s,
                        double *Omega)
{
    size_t d = fd->d, r = fd->rank, updates = (size_t)H_old[0], warm = updates ? r : 0;
    const double *U = H_old + 1 + d;
    fc_rng_t rng;
    fc_rng_seed(&rng, fd->seed, LR_STREAM ^ (uint64_t)k, (uint64_t)updates);
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < s; j++)
            Omega[i * s + j] = j < warm ? U[i * r + j] : fc_rng_normal(&rng);
}

/* SPEC §12: U_k from the top-r eigenpairs of ∇²ℓ_k(θ), D_k = diag(∇²ℓ_k(θ)) − diag(U_kU_kᵀ)
 * clipped at 0; h_new = H_new θ. */
static void lr_curvature(const fc_family_dims_t *fd, size_t k, const fc_model_t *m,
                         const fc_data_t *blk, const double *theta, const double *H_old, double *g,
                         double *H_new, double *h_new, double *work, double *scratch)
{
    size_t d = fd->d, r = fd->rank, s = block_cols(fd);
    double loss, *D = H_new + 1, *U = D + d;
    double *Omega = scratch, *ework = Omega + d * s, *lambda = ework + fc_lr_top_eig_work(d, s);
    block_ctx_t bc = {m, blk, theta, work, lambda + r, lambda + r + d, lambda + r + 2 * d};
    int iters;
    fc_model_eval(m, blk, theta, &loss, g, NULL, D, work);
    H_new[0] = H_old[0] + 1.0;
    start_block(fd, k, H_old, s, Omega);
    if (r > 0 && fc_lr_top_eig(d, r, s, curvature_block, &bc, LR_TOL, LR_MAX_ITER, Omega, U, lambda,
                               &iters, ework) != FC_OK) {
        /* A failed small eigendecomposition leaves a non-finite site, which the caller
         * reports ("new site is not finite"). */
        U[0] = NAN;
    }
    for (size_t i = 0; i < d; i++) {
        double s2 = 0.0;
        for (size_t j = 0; j < r; j++)
            s2 += U[i * r + j] * U[i * r + j];
        D[i] = D[i] - s2 > 0.0 ? D[i] - s2 : 0.0;
    }
    fc_lr_apply(d, D, r, U, 0, NULL, theta, 0, h_new);
}

static void lr_site_gradient(const fc_family_dims_t *fd, const double *h, const double *H,
                             const double *theta, double *out)
{
    size_t d = fd->d;
    fc_lr_apply(d, H + 1, fd->rank, H + 1 + d, 0, NULL, theta, 0, out);
    fc_axpy(d, -1.0, h, out);
}

/* (1−α)U_oU_oᵀ + αU_nU_nᵀ → its best rank-r part W Wᵀ (written to Wout) through the 2r×2r
 * Gram matrix of [U_o U_n]; the diagonal of the rest is added to D. tail: damp_tail doubles. */
static int damp_lowrank(const fc_family_dims_t *fd, double alpha, const double *Uo,
                        const double *Un, double *Wout, double *D, double *tail)
{
    size_t d = fd->d, r = fd->rank, n = 2 * r, kept;
    double *G = tail, *Mc = G + n * n, *work = Mc + n * r, c[2] = {1.0 - alpha, alpha};
    fc_gemm(1, 0, r, r, d, 1.0, Uo, r, Uo, r, 0.0, G, n);
    fc_gemm(1, 0, r, r, d, 1.0, Uo, r, Un, r, 0.0, G + r, n);
    fc_gemm(1, 0, r, r, d, 1.0, Un, r, Uo, r, 0.0, G + r * n, n);
    fc_gemm(1, 0, r, r, d, 1.0, Un, r, Un, r, 0.0, G + r * n + r, n);
    double *cw = work + fc_lr_compress_work(n);
    for (size_t j = 0; j < n; j++)
        cw[j] = c[j >= r];
    int err = fc_lr_compress_coef(n, G, cw, r, Mc, &kept, work);
    if (err) return err;
    fc_gemm(0, 0, d, r, r, 1.0, Uo, r, Mc, r, 0.0, Wout, r);
    fc_gemm(0, 0, d, r, r, 1.0, Un, r, Mc + r * r, r, 1.0, Wout, r);
    for (size_t i = 0; i < d; i++) {
        double s = 0.0;
        for (size_t j = 0; j < r; j++)
            s += c[0] * Uo[i * r + j] * Uo[i * r + j] + c[1] * Un[i * r + j] * Un[i * r + j] -
                 Wout[i * r + j] * Wout[i * r + j];
        D[i] += s > 0.0 ? s : 0.0;
    }
    return FC_OK;
}

/* SPEC §3.1 step 4 for a low-rank site: h linearly; D linearly plus what the rank-r
 * recompression of the U part drops (clipped at 0, so the site stays PSD); α = 1 copies. The
 * change goes to client k's block of dH. */
static void lr_damp(const fc_family_dims_t *fd, size_t k, double alpha, double *h, double *H,
                    const double *h_new, const double *H_new, double *dh, double *dH)
{
    size_t d = fd->d, r = fd->rank, np = lr_prec_len(fd);
    double *D = H + 1, *U = D + d, *dD = dH + HDR, *slot = dD + d + k * d * r;
    const double *Dn = H_new + 1, *Un = Dn + d;
    double *tail = dH + np - damp_tail(fd);
    fc_site_damp_linear(d, 0, alpha, h, NULL, h_new, NULL, dh, NULL);
    fc_zero(np, dH);
    for (size_t i = 0; i < d; i++) {
        double Di = alpha == 1.0 ? Dn[i] : (1.0 - alpha) * D[i] + alpha * Dn[i];
        dD[i] = Di; /* the damped D, before the dropped diagonal: the change comes below */
    }
    if (alpha == 1.0 || r == 0) {
        fc_copy(d * r, Un, slot);
    } else if (damp_lowrank(fd, alpha, U, Un, slot, dD, tail) != FC_OK) {
        slot[0] = NAN; /* reported by the server as a non-finite state */
    }
    for (size_t i = 0; i < d; i++) {
        double Di = dD[i] > 0.0 ? dD[i] : 0.0;
        dD[i] = Di - D[i];
        D[i] = Di;
    }
    for (size_t e = 0; e < d * r; e++) {
        double v = slot[e];
        slot[e] = v - U[e];
        U[e] = v;
    }
    fc_zero(damp_tail(fd), tail);
    H[0] = H_new[0];
}

/* SPEC §12: up, a client's D_k and U_k ((r + 1)d; with h, (r + 2)d); down, S_t's diagonal and
 * its q columns (the server's effective rank) plus the column count. */
static size_t lr_wire_len(const fc_family_dims_t *fd, int up)
{
    return up ? fd->d * (fd->rank + 1) : 1 + fd->d * (1 + server_cols(fd));
}

/* Client k's term of ΣH: D_k, and U_k in its own block. */
static void lr_place(const fc_family_dims_t *fd, size_t k, const double *H, double *out)
{
    size_t d = fd->d, r = fd->rank;
    fc_zero(lr_prec_len(fd), out);
    fc_copy(d, H + 1, out + HDR);
    fc_copy(d * r, H + 1 + d, out + HDR + d + k * d * r);
}

/* SPEC §10 variance.txt: diag(S⁻¹) of the state S = diag(S_d) + WWᵀ by Woodbury,
 * 1/S_d,i − ‖Lc⁻¹ b_i‖² with b_i the rows of B = S_d⁻¹W and Lc Lcᵀ = I + WᵀB (one gemm, one
 * Cholesky of ncols × ncols, one dtrsm; no d×d matrix). */
static size_t lr_variance_work(const fc_family_dims_t *fd)
{
    size_t q = server_cols(fd);
    return fd->d * q + q * q;
}

static void lr_variance(const fc_family_dims_t *fd, double delta, const double *S, double *var,
                        double *work)
{
    size_t d = fd->d, nc = (size_t)S[0];
    const double *Sd = S + HDR, *W = Sd + d;
    double *B = work, *C = work + d * nc;
    (void)delta;
    for (size_t i = 0; i < d; i++) {
        var[i] = 1.0 / Sd[i];
        for (size_t j = 0; j < nc; j++)
            B[i * nc + j] = W[i * nc + j] / Sd[i];
    }
    if (nc == 0) return;
    fc_gemm(1, 0, nc, nc, d, 1.0, W, nc, B, nc, 0.0, C, nc);
    for (size_t j = 0; j < nc; j++)
        C[j * nc + j] += 1.0;
    if (fc_chol(nc, C, "lowrank capacitance") != FC_OK) return; /* I + WᵀD⁻¹W is PD */
    fc_trsm_lower(1, 1, d, nc, C, B, nc);
    for (size_t i = 0; i < d; i++)
        var[i] -= fc_dot(nc, B + i * nc, B + i * nc);
}

const fc_family_ops_t fc_family_lowrank_ops = {
    .name = "lowrank",
    .uses_rank = 1,
    .prec_len = lr_prec_len,
    .factor_len = lr_factor_len,
    .site_len = lr_site_len,
    .matrix_free = 1,
    .work_len = lr_work_len,
    .scratch_len = lr_scratch_len,
    .prior = lr_prior,
    .posterior = lr_posterior,
    .cavity = lr_cavity,
    .curvature = lr_curvature,
    .site_gradient = lr_site_gradient,
    .damp = lr_damp,
    .place = lr_place,
    .wire_len = lr_wire_len,
    .variance = lr_variance,
    .variance_work = lr_variance_work,
};
