/* fc_bench_proto.h — a prototype softmax Hessian for fc_bench --probe (see the .c file).
 * It writes the full d×d Hessian of the softmax loss of X (n × p) at theta into H, in the
 * library's layout; work is caller-owned scratch of fc_proto_work_size doubles. */
#ifndef FC_BENCH_PROTO_H
#define FC_BENCH_PROTO_H

#include <stddef.h>

#include "fc_model.h"

size_t fc_proto_work_size(const fc_model_t *m, size_t n, size_t block);
/* A: one syrk over all class pairs, then the C diagonal class blocks. */
void fc_proto_hess_syrk(const fc_model_t *m, const double *X, size_t n, const double *theta,
                        double *H, double *work);

#endif
