#!/usr/bin/env python3
"""ref_fpc_numpy.py -- a plain NumPy reference of federated posterior correction (fpc), full
Gaussian family, for softmax regression (README, Specification SPEC 3.1 and "Local solver").
Written for benchmarks/numpy_compare.sh, which times it against fedpc on the same data.

Usage: ref_fpc_numpy.py DIR K ROUNDS DAMPING PRIOR_PRECISION
DIR holds client_<k>.csv as `fedpc partition` writes them (label, then the features); a bias
feature 1 is appended as fedpc does. Prints one line per round, "round objective", with
objective F(m) = sum_k loss_k(m) + delta/2 |m|^2 (metrics.csv's objective), then the seconds
the rounds took.

The algorithm, per round, for every client k from the server's (m, S):
  1. cavity: P = S - H_k, b = S m - h_k
  2. m_k = argmin_theta loss_k(theta) + 1/2 theta' P theta - b' theta, by Newton from m with
     Armijo backtracking (c = 1e-4, halving up to 30 times, slack 100 eps |terms|), stopping
     at |g| <= 1e-10 max(1, |g0|), after 50 steps, or when a step makes no progress
  3. g = grad loss_k(m_k), H_new = hess loss_k(m_k), h_new = H_new m_k - g
  4. (h_k, H_k) <- (1 - alpha)(h_k, H_k) + alpha (h_new, H_new)
then the server: S = delta I + sum_k H_k, m = S^-1 sum_k h_k.
Parameters theta are p x C row-major (theta[j*C + c]: feature j, class c), as in fedpc.
"""
import sys
import time

import numpy as np

ARMIJO_C = 1e-4
MAX_HALVINGS = 30
LOCAL_TOL = 1e-10
LOCAL_STEPS = 50
EPS = np.finfo(float).eps


def load_client(path, n_classes):
    raw = np.loadtxt(path, delimiter=",", ndmin=2)
    y = raw[:, 0].astype(int)
    X = np.hstack([raw[:, 1:], np.ones((raw.shape[0], 1))])  # the bias feature, last
    return X, np.eye(n_classes)[y]


def softmax_terms(theta, X, Y, want_hess):
    """loss, gradient (d) and, if asked, Hessian (d x d) of the softmax loss at theta."""
    p, C = X.shape[1], Y.shape[1]
    A = X @ theta.reshape(p, C)
    A -= A.max(axis=1, keepdims=True)
    E = np.exp(A)
    s = E.sum(axis=1)
    Pr = E / s[:, None]
    loss = float(np.sum(np.log(s) - np.sum(A * Y, axis=1)))
    grad = (X.T @ (Pr - Y)).ravel()
    if not want_hess:
        return loss, grad, None
    # H[(j,c),(j',c')] = sum_i x_ij x_ij' (p_ic [c = c'] - p_ic p_ic'): one matrix product
    # of the per-example outer products of x and of the per-example softmax curvatures.
    n = X.shape[0]
    XX = (X[:, :, None] * X[:, None, :]).reshape(n, p * p)
    W = (Pr[:, :, None] * np.eye(C)[None] - Pr[:, :, None] * Pr[:, None, :]).reshape(n, C * C)
    H = (XX.T @ W).reshape(p, p, C, C).transpose(0, 2, 1, 3).reshape(p * C, p * C)
    return loss, grad, H


def local_objective(theta, X, Y, P, b, want_hess=False):
    loss, gl, H = softmax_terms(theta, X, Y, want_hess)
    Pt = P @ theta
    quad, lin = 0.5 * theta @ Pt, b @ theta
    f = loss + quad - lin
    scale = abs(loss) + abs(quad) + abs(lin)
    return f, gl + Pt - b, scale, H


def newton_solve(theta, X, Y, P, b):
    f, g, scale, H = local_objective(theta, X, Y, P, b, want_hess=True)
    g0 = np.linalg.norm(g)
    for _ in range(LOCAL_STEPS):
        if np.linalg.norm(g) <= LOCAL_TOL * max(1.0, g0) or not np.any(g):
            break
        L = np.linalg.cholesky(H + P)
        direction = -np.linalg.solve(L.T, np.linalg.solve(L, g))
        gd = g @ direction
        if not gd < 0:
            break
        slack, step, accepted = 100 * EPS * scale, 1.0, False
        for _ in range(MAX_HALVINGS + 1):
            trial = theta + step * direction
            ft = local_objective(trial, X, Y, P, b)[0]
            if ft <= f + ARMIJO_C * step * gd + slack:
                accepted = True
                break
            step *= 0.5
        if not accepted:
            break
        progress = ft < f
        theta = trial
        f, g, scale, H = local_objective(theta, X, Y, P, b, want_hess=True)
        if not progress:
            break
    return theta


def main():
    folder, K, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    alpha, delta = float(sys.argv[4]), float(sys.argv[5])
    C = 10
    clients = [load_client(f"{folder}/client_{k}.csv", C) for k in range(K)]
    d = clients[0][0].shape[1] * C
    h = [np.zeros(d) for _ in range(K)]
    H = [np.zeros((d, d)) for _ in range(K)]
    m, S = np.zeros(d), delta * np.eye(d)

    def objective(theta):
        return sum(softmax_terms(theta, X, Y, False)[0] for X, Y in clients) + 0.5 * delta * (
            theta @ theta)

    t0 = time.perf_counter()
    print(0, repr(objective(m)))
    for r in range(1, rounds + 1):
        for k, (X, Y) in enumerate(clients):
            P, b = S - H[k], S @ m - h[k]
            mk = newton_solve(m.copy(), X, Y, P, b)
            _, g, Hn = softmax_terms(mk, X, Y, True)
            hn = Hn @ mk - g
            h[k] += alpha * (hn - h[k])
            H[k] += alpha * (Hn - H[k])
        S = delta * np.eye(d) + sum(H)
        L = np.linalg.cholesky(S)
        m = np.linalg.solve(L.T, np.linalg.solve(L, sum(h)))
        print(r, repr(objective(m)))
    print("seconds", time.perf_counter() - t0)


if __name__ == "__main__":
    main()
