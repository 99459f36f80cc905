/* fc_algo_impl.h — private to the fc_algo*.c files: the work struct and the rows of the
 * algorithm registry. */
#ifndef FC_ALGO_IMPL_H
#define FC_ALGO_IMPL_H

#include "fc_algo.h"

struct fc_work {
    fc_solver_ws_t *solver;
    double *theta, *b, *g, *h_new, *tmp; /* d each */
    double *P;                           /* prec_len */
    double *H_new;                       /* fc_family_site_len */
    double *chol;                        /* full: d*d scratch for PD checks */
    double *scratch;                     /* the family's curvature scratch (scratch_len) */
    double *algo;                        /* the algorithm's own scratch (its row's work_len) */
    size_t algo_max_n;                   /* the largest client block algo is sized for */
};

extern const fc_algo_ops_t fc_algo_fpc_ops;
extern const fc_algo_ops_t fc_algo_pvi_ops;
extern const fc_algo_ops_t fc_algo_admm_ops;
extern const fc_algo_ops_t fc_algo_ama_ops;
extern const fc_algo_ops_t fc_algo_central_ops;
extern const fc_algo_ops_t fc_algo_fedavg_ops;
extern const fc_algo_ops_t fc_algo_fedprox_ops;

#endif
