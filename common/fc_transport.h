/* fc_transport.h — the one thin module that talks MPI (plus a serial back-end so the
 * runtime and its tests run in one process without mpirun). It moves bytes; it knows
 * nothing of algorithms. Every function marked "collective" must be called by all ranks
 * in the same order. */
#ifndef FC_TRANSPORT_H
#define FC_TRANSPORT_H

#include <stddef.h>

#include "fc_error.h"

typedef struct fc_tp fc_tp_t;

/* Wrap an MPI communicator (a pointer to an MPI_Comm, so this header needs no mpi.h).
 * MPI must be initialised by the caller. */
FC_MUST int fc_tp_create_mpi(const void *comm, fc_tp_t **out);
/* A one-rank transport without MPI. */
FC_MUST int fc_tp_create_serial(fc_tp_t **out);
void fc_tp_destroy(fc_tp_t **tp);

int fc_tp_rank(const fc_tp_t *tp);
int fc_tp_size(const fc_tp_t *tp);
/* Wall-clock seconds (MPI_Wtime, or the monotonic clock when serial). */
double fc_tp_wtime(const fc_tp_t *tp);

/* Collective: broadcast bytes from root. */
FC_MUST int fc_tp_bcast(fc_tp_t *tp, void *buf, size_t bytes, int root);
/* Collective: every rank's error code in, the largest out — so all ranks agree on
 * failure before the next collective and none waits forever (HPL's pdinfo rule). */
int fc_tp_agree(fc_tp_t *tp, int local_err);
/* Collective: the message of the lowest rank with failed != 0 is copied into every rank's
 * msg (size bytes, NUL-terminated), so the server can report a client rank's failure. */
FC_MUST int fc_tp_share_message(fc_tp_t *tp, int failed, char *msg, size_t size);
/* Collective: the largest value over the ranks. */
FC_MUST int fc_tp_max_long(fc_tp_t *tp, long *value);

/* Collective ordered sum: acc (n doubles) travels 1 → 2 → … → P−1 → 0 (or stays on
 * rank 0 when P = 1); each rank that hosts clients calls add(ctx, acc) to add its
 * clients' contributions in client order. The first rank starts from zeros. Because the
 * additions happen in exactly client order whatever P is, the result is bit-for-bit
 * the same for every P. On return rank 0 holds the sum (other ranks' acc is scratch). */
typedef void (*fc_tp_add_fn)(void *ctx, double *acc);
FC_MUST int fc_tp_chain_sum(fc_tp_t *tp, double *acc, size_t n, fc_tp_add_fn add, void *ctx);

/* A piece of a rank's state: n doubles at p (the caller's array, read or written in place). */
typedef struct {
    double *p;
    size_t n;
} fc_tp_piece_t;

/* Collective: each rank's contribution is the concatenation of its pieces, a whole number
 * of blocks of `block` doubles; root receives every rank's contribution in rank order into
 * all (unused elsewhere). With contiguous placement rank order is client order, so this
 * gathers the clients' checkpoint state straight from their arrays: no rank but root holds
 * more than it already has. */
FC_MUST int fc_tp_gather_pieces(fc_tp_t *tp, size_t npieces, const fc_tp_piece_t *pieces,
                                size_t block, double *all, int root);
/* Collective: the inverse: root's all is cut into each rank's share, in rank order, and
 * written straight into that rank's pieces. */
FC_MUST int fc_tp_scatter_pieces(fc_tp_t *tp, const double *all, size_t npieces,
                                 const fc_tp_piece_t *pieces, size_t block, int root);

/* Point-to-point messages (the asynchronous schedule, SPEC §11). They travel on a
 * communicator of their own, a duplicate made by fc_tp_create_mpi, so no message of theirs
 * can ever match one of the collectives above. Not available serially (FC_EINVAL). */
#define FC_TP_ANY (-1) /* fc_tp_recv: from any rank */
FC_MUST int fc_tp_send(fc_tp_t *tp, int dest, int tag, const void *buf, size_t bytes);
/* Receive up to `bytes` bytes from src (or FC_TP_ANY) with tag; the sender in *from and the
 * length in *got (either may be NULL). A longer message is an error. */
FC_MUST int fc_tp_recv(fc_tp_t *tp, int src, int tag, void *buf, size_t bytes, int *from,
                       size_t *got);

/* End every rank now with status (after a message naming this rank was printed). */
_Noreturn void fc_tp_abort(fc_tp_t *tp, int status);

#endif
