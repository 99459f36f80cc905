/* fc_host_async.h — the client role of the asynchronous schedule (SPEC §11): each hosted
 * client's held version of the posterior, its update against it, and the answer it takes
 * from the server; in real timing (P > 1), a rank's clients take turns on point-to-point
 * messages. Private to the client role (fc_host.c dispatches the FC_CMD_ASYNC_* commands
 * here). */
#ifndef FC_HOST_ASYNC_H
#define FC_HOST_ASYNC_H

#include "fc_algo.h"
#include "fc_protocol.h"
#include "fc_transport.h"

/* What the async code borrows from its host. */
typedef struct {
    fc_tp_t *tp;
    const fc_algo_ctx_t *ctx; /* main slot */
    size_t lo, hi;
    fc_client_t **client;
    fc_work_t *work;
    uint64_t seed;
    double participation;
} fc_host_view_t;

typedef struct fc_host_async fc_host_async_t;

/* Run one FC_CMD_ASYNC_* command (collective); *as is created on first use. */
FC_MUST int fc_host_async_execute(const fc_host_view_t *v, fc_host_async_t **as,
                                  const fc_cmd_t *cmd, const double *payload, double *result);
void fc_host_async_destroy(fc_host_async_t **as);
/* Doubles of a command's result (0 for commands with none). */
size_t fc_host_async_result_len(const fc_algo_ctx_t *a, const fc_cmd_t *cmd);
/* Doubles of one client's held block (checkpoints). */
size_t fc_async_held_len(const fc_algo_ctx_t *a);

#endif
