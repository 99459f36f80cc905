/* fc_protocol.h — what the server and the client ranks say to each other, and the exit
 * statuses (SPEC §5). Every command is: the header and a payload broadcast from rank 0,
 * local work on every rank, agreement on errors, then an ordered sum of the results
 * (fc_tp_chain_sum) that lands on rank 0. */
#ifndef FC_PROTOCOL_H
#define FC_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include "fc_error.h"

typedef enum {
    FC_CMD_UPDATE = 1,  /* every participating client runs its local update (synchronous) */
    FC_CMD_UPDATE_ONE,  /* client k alone runs its local update (sequential schedule) */
    FC_CMD_EVAL,        /* every client: [ℓ_k, correction_k², ∇ℓ_k] at θ (payload) */
    FC_CMD_STATE_GET,   /* every client's state (fc_client_state_pack), K blocks, gathered to
                         * rank 0 in client order */
    FC_CMD_STATE_PUT,   /* rank 0's payload (not broadcast: len 0): every client's state,
                         * scattered to the ranks that host them */
    FC_CMD_FIXED_POINT, /* every client's state set to the algorithm's fixed point at θ*
                         * (payload), then the sum of every client's contribution */
    FC_CMD_SUM,         /* the sum of every client's current contribution, no update */
    FC_CMD_DONE,        /* leave the command loop; round carries the exit status */
    /* The asynchronous schedule (SPEC §11; fc_async_proto.h has the layouts): */
    FC_CMD_ASYNC_ONE,       /* client k's update against the version it holds: result [version
                             * used, ℓ_k, correction², delta] (replay, one rank) */
    FC_CMD_ASYNC_SETTLE,    /* payload [k, factor, version, state]: client k takes the server's
                             * answer (factor < 0: a join; 0: dropped; else applied × factor) */
    FC_CMD_ASYNC_FREE,      /* a round on point-to-point messages in real timing (P > 1) */
    FC_CMD_ASYNC_STATE_GET, /* every client's held version (checkpoint), K blocks to rank 0 */
    FC_CMD_ASYNC_STATE_PUT  /* the inverse, from rank 0's payload (not broadcast: len 0) */
} fc_cmd_code_t;

/* Which algorithm context a command runs in. */
typedef enum { FC_SLOT_MAIN = 0, FC_SLOT_REF = 1, FC_NSLOTS = 2 } fc_slot_t;

/* FC_CMD_EVAL flags. */
#define FC_EVAL_LOSS_ONLY 1 /* result is [Σℓ_k] only (line searches) */
/* SPEC §10: [E_q ℓ_k, correction², E_q ∇ℓ_k] under q = N(m, S⁻¹), the payload being m and
 * then the precision in the slot's shape (its factor L for full, S for diag, none for iso). */
#define FC_EVAL_EXPECT 2

typedef struct {
    int32_t code;  /* fc_cmd_code_t */
    int32_t slot;  /* fc_slot_t */
    int32_t round; /* round number (participation seed), or the exit status for DONE */
    int32_t flags;
    int64_t k;   /* FC_CMD_UPDATE_ONE: the client */
    int64_t len; /* payload doubles */
} fc_cmd_t;

/* Exit statuses (SPEC §5): FC_EXIT_DONE, _INTERNAL, _INPUT, _DIVERGED come from fc_error.h,
 * where the one list of error codes says which status each code ends a run with
 * (fc_exit_status). */

/* Executes one command on this rank's clients (client role), collectively: local work,
 * agreement on errors, ordered sum into result (valid on rank 0). */
typedef int (*fc_exec_fn)(void *ctx, const fc_cmd_t *cmd, const double *payload, double *result);

/* Clients 0..K−1 sit in contiguous blocks on ranks 1..P−1 (all on rank 0 when P = 1):
 * [*lo, *hi) for rank r. */
void fc_placement(size_t K, int P, int r, size_t *lo, size_t *hi);

#endif
