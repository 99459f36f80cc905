/* fc_transport.c — MPI and serial back-ends of the transport. The only file with MPI calls
 * besides main's MPI_Init/MPI_Finalize. */
#include "fc_transport.h"

#include <limits.h>
#include <mpi.h>
#include <stdlib.h>
#include <time.h>

#include "fc_la.h"
#include "fc_mem.h"

struct fc_tp {
    int serial;
    MPI_Comm comm;
    MPI_Comm p2p; /* a duplicate of comm for point-to-point messages only */
    int rank, size;
};

/* MPI counts are int: move large buffers in chunks. */
#define CHUNK ((size_t)1 << 30)

static int mpi_fail(int rc, const char *what)
{
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, text, &len);
    return fc_err_set(FC_EMPI, "%s failed: %s", what, text);
}

int fc_tp_create_mpi(const void *comm, fc_tp_t **out)
{
    int err;
    fc_tp_t *tp = NULL;
    FC_CALL(fc_calloc(1, sizeof *tp, &tp));
    tp->comm = *(const MPI_Comm *)comm;
    /* Errors come back as codes so we can name the rank and exit cleanly. */
    MPI_Comm_set_errhandler(tp->comm, MPI_ERRORS_RETURN);
    MPI_Comm_rank(tp->comm, &tp->rank);
    MPI_Comm_size(tp->comm, &tp->size);
    int rc = MPI_Comm_dup(tp->comm, &tp->p2p);
    if (rc != MPI_SUCCESS) {
        err = mpi_fail(rc, "MPI_Comm_dup");
        fc_free(&tp);
        goto cleanup;
    }
    MPI_Comm_set_errhandler(tp->p2p, MPI_ERRORS_RETURN);
    *out = tp;
    return FC_OK;
cleanup:
    return err;
}

int fc_tp_create_serial(fc_tp_t **out)
{
    int err;
    fc_tp_t *tp = NULL;
    FC_CALL(fc_calloc(1, sizeof *tp, &tp));
    tp->serial = 1;
    tp->rank = 0;
    tp->size = 1;
    *out = tp;
    return FC_OK;
cleanup:
    return err;
}

void fc_tp_destroy(fc_tp_t **tp)
{
    if (tp && *tp && !(*tp)->serial) MPI_Comm_free(&(*tp)->p2p);
    fc_free(tp);
}

int fc_tp_rank(const fc_tp_t *tp)
{
    return tp->rank;
}

int fc_tp_size(const fc_tp_t *tp)
{
    return tp->size;
}

double fc_tp_wtime(const fc_tp_t *tp)
{
    if (!tp->serial) return MPI_Wtime();
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int fc_tp_bcast(fc_tp_t *tp, void *buf, size_t bytes, int root)
{
    if (tp->serial || tp->size == 1) return FC_OK;
    for (size_t off = 0; off < bytes; off += CHUNK) {
        size_t n = bytes - off < CHUNK ? bytes - off : CHUNK;
        int rc = MPI_Bcast((char *)buf + off, (int)n, MPI_BYTE, root, tp->comm);
        if (rc != MPI_SUCCESS) return mpi_fail(rc, "MPI_Bcast");
    }
    return FC_OK;
}

int fc_tp_agree(fc_tp_t *tp, int local_err)
{
    int global = local_err;
    if (tp->serial || tp->size == 1) return local_err;
    if (MPI_Allreduce(&local_err, &global, 1, MPI_INT, MPI_MAX, tp->comm) != MPI_SUCCESS)
        return FC_EMPI;
    return global;
}

int fc_tp_share_message(fc_tp_t *tp, int failed, char *msg, size_t size)
{
    int mine = failed ? tp->rank : tp->size, first = mine;
    if (tp->serial || tp->size == 1) return FC_OK;
    int rc = MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, tp->comm);
    if (rc != MPI_SUCCESS) return mpi_fail(rc, "MPI_Allreduce");
    if (first == tp->size) return FC_OK; /* nobody failed */
    msg[size - 1] = '\0';
    return fc_tp_bcast(tp, msg, size, first);
}

int fc_tp_max_long(fc_tp_t *tp, long *value)
{
    long in = *value;
    if (tp->serial || tp->size == 1) return FC_OK;
    int rc = MPI_Allreduce(&in, value, 1, MPI_LONG, MPI_MAX, tp->comm);
    return rc == MPI_SUCCESS ? FC_OK : mpi_fail(rc, "MPI_Allreduce");
}

static int send_doubles(fc_tp_t *tp, const double *buf, size_t n, int dest)
{
    size_t chunk = CHUNK / sizeof(double);
    for (size_t off = 0; off < n; off += chunk) {
        size_t m = n - off < chunk ? n - off : chunk;
        int rc = MPI_Send(buf + off, (int)m, MPI_DOUBLE, dest, 7, tp->comm);
        if (rc != MPI_SUCCESS) return mpi_fail(rc, "MPI_Send");
    }
    return FC_OK;
}

static int recv_doubles(fc_tp_t *tp, double *buf, size_t n, int src)
{
    size_t chunk = CHUNK / sizeof(double);
    for (size_t off = 0; off < n; off += chunk) {
        size_t m = n - off < chunk ? n - off : chunk;
        int rc = MPI_Recv(buf + off, (int)m, MPI_DOUBLE, src, 7, tp->comm, MPI_STATUS_IGNORE);
        if (rc != MPI_SUCCESS) return mpi_fail(rc, "MPI_Recv");
    }
    return FC_OK;
}

int fc_tp_chain_sum(fc_tp_t *tp, double *acc, size_t n, fc_tp_add_fn add, void *ctx)
{
    int r = tp->rank, P = tp->size;
    if (tp->serial || P == 1) {
        fc_zero(n, acc);
        add(ctx, acc);
        return FC_OK;
    }
    /* Ranks 1..P−1 host the clients in contiguous blocks; rank 0 hosts none. */
    if (r == 0) return recv_doubles(tp, acc, n, P - 1);
    if (r == 1)
        fc_zero(n, acc);
    else {
        int err = recv_doubles(tp, acc, n, r - 1);
        if (err) return err;
    }
    add(ctx, acc);
    return send_doubles(tp, acc, n, r + 1 < P ? r + 1 : 0);
}

/* The block counts of every rank on root (counts: size ints there), with displacements. */
static int gather_counts(fc_tp_t *tp, size_t nblocks, int root, int **counts, int **displs)
{
    int err, mine = (int)nblocks, P = tp->size;
    *counts = *displs = NULL;
    if (nblocks > INT_MAX) return fc_err_set(FC_EINVAL, "%zu state blocks on one rank", nblocks);
    if (tp->rank == root) {
        FC_CALL(fc_calloc((size_t)P, sizeof(int), counts));
        FC_CALL(fc_calloc((size_t)P, sizeof(int), displs));
    }
    int rc = MPI_Gather(&mine, 1, MPI_INT, *counts, 1, MPI_INT, root, tp->comm);
    if (rc != MPI_SUCCESS) FC_FAIL(FC_EMPI, "MPI_Gather of block counts failed");
    for (int r = 1; tp->rank == root && r < P; r++) {
        if ((*displs)[r - 1] > INT_MAX - (*counts)[r - 1])
            FC_FAIL(FC_EINVAL, "more than %d state blocks", INT_MAX);
        (*displs)[r] = (*displs)[r - 1] + (*counts)[r - 1];
    }
    return FC_OK;
cleanup:
    fc_free(counts);
    fc_free(displs);
    return err;
}

/* A block of `block` doubles as one MPI element, so counts stay small ints. */
static int block_type(size_t block, MPI_Datatype *t)
{
    if (block == 0 || block > INT_MAX)
        return fc_err_set(FC_EINVAL, "a state block of %zu doubles is out of MPI's range", block);
    if (MPI_Type_contiguous((int)block, MPI_DOUBLE, t) != MPI_SUCCESS || MPI_Type_commit(t))
        return fc_err_set(FC_EMPI, "MPI_Type_contiguous(%zu) failed", block);
    return FC_OK;
}

/* The pieces as one MPI element addressed from MPI_BOTTOM: the collective reads or writes
 * the caller's arrays in place, with no packed copy. */
static int pieces_type(size_t npieces, const fc_tp_piece_t *pieces, MPI_Datatype *t)
{
    int err, *lens = NULL;
    MPI_Aint *addr = NULL;
    if (npieces > INT_MAX) return fc_err_set(FC_EINVAL, "%zu pieces of state", npieces);
    FC_CALL(fc_calloc(npieces ? npieces : 1, sizeof *lens, &lens));
    FC_CALL(fc_calloc(npieces ? npieces : 1, sizeof *addr, &addr));
    for (size_t i = 0; i < npieces; i++) {
        if (pieces[i].n > INT_MAX) FC_FAIL(FC_EINVAL, "a state piece of %zu doubles", pieces[i].n);
        lens[i] = (int)pieces[i].n;
        MPI_Get_address(pieces[i].p, &addr[i]);
    }
    if (MPI_Type_create_hindexed((int)npieces, lens, addr, MPI_DOUBLE, t) != MPI_SUCCESS ||
        MPI_Type_commit(t) != MPI_SUCCESS)
        FC_FAIL(FC_EMPI, "MPI_Type_create_hindexed failed");
cleanup:
    fc_free(&lens);
    fc_free(&addr);
    return err;
}

static size_t pieces_len(size_t npieces, const fc_tp_piece_t *pieces)
{
    size_t n = 0;
    for (size_t i = 0; i < npieces; i++)
        n += pieces[i].n;
    return n;
}

static int pieces_collective(fc_tp_t *tp, int gather, size_t npieces, const fc_tp_piece_t *pieces,
                             size_t block, double *all, int root)
{
    int *counts = NULL, *displs = NULL, err, rc;
    MPI_Datatype tb = MPI_DATATYPE_NULL, tp_ = MPI_DATATYPE_NULL;
    size_t n = pieces_len(npieces, pieces);
    if (n % block)
        return fc_err_set(FC_EINVAL, "state of %zu doubles is not in blocks of %zu", n, block);
    FC_CALL(block_type(block, &tb));
    FC_CALL(pieces_type(npieces, pieces, &tp_));
    FC_CALL(gather_counts(tp, n / block, root, &counts, &displs));
    int one = npieces ? 1 : 0;
    rc = gather ? MPI_Gatherv(MPI_BOTTOM, one, tp_, all, counts, displs, tb, root, tp->comm)
                : MPI_Scatterv(all, counts, displs, tb, MPI_BOTTOM, one, tp_, root, tp->comm);
    if (rc != MPI_SUCCESS) err = mpi_fail(rc, gather ? "MPI_Gatherv" : "MPI_Scatterv");
cleanup:
    if (tb != MPI_DATATYPE_NULL) MPI_Type_free(&tb);
    if (tp_ != MPI_DATATYPE_NULL) MPI_Type_free(&tp_);
    fc_free(&counts);
    fc_free(&displs);
    return err;
}

int fc_tp_gather_pieces(fc_tp_t *tp, size_t npieces, const fc_tp_piece_t *pieces, size_t block,
                        double *all, int root)
{
    if (!(tp->serial || tp->size == 1))
        return pieces_collective(tp, 1, npieces, pieces, block, all, root);
    for (size_t i = 0, off = 0; i < npieces; off += pieces[i].n, i++)
        fc_copy(pieces[i].n, pieces[i].p, all + off);
    return FC_OK;
}

int fc_tp_scatter_pieces(fc_tp_t *tp, const double *all, size_t npieces,
                         const fc_tp_piece_t *pieces, size_t block, int root)
{
    if (!(tp->serial || tp->size == 1))
        return pieces_collective(tp, 0, npieces, pieces, block, (double *)all, root);
    for (size_t i = 0, off = 0; i < npieces; off += pieces[i].n, i++)
        fc_copy(pieces[i].n, all + off, pieces[i].p);
    return FC_OK;
}

int fc_tp_send(fc_tp_t *tp, int dest, int tag, const void *buf, size_t bytes)
{
    if (tp->serial || tp->size == 1)
        return fc_err_set(FC_EINVAL, "point-to-point messages need several ranks");
    if (bytes > INT_MAX) return fc_err_set(FC_ETOOBIG, "a message of %zu bytes", bytes);
    int rc = MPI_Send(buf, (int)bytes, MPI_BYTE, dest, tag, tp->p2p);
    return rc == MPI_SUCCESS ? FC_OK : mpi_fail(rc, "MPI_Send");
}

int fc_tp_recv(fc_tp_t *tp, int src, int tag, void *buf, size_t bytes, int *from, size_t *got)
{
    MPI_Status st;
    int n = 0;
    if (tp->serial || tp->size == 1)
        return fc_err_set(FC_EINVAL, "point-to-point messages need several ranks");
    if (bytes > INT_MAX) return fc_err_set(FC_ETOOBIG, "a message of %zu bytes", bytes);
    int rc = MPI_Recv(buf, (int)bytes, MPI_BYTE, src == FC_TP_ANY ? MPI_ANY_SOURCE : src, tag,
                      tp->p2p, &st);
    if (rc != MPI_SUCCESS) return mpi_fail(rc, "MPI_Recv");
    MPI_Get_count(&st, MPI_BYTE, &n);
    if (from) *from = st.MPI_SOURCE;
    if (got) *got = (size_t)n;
    return FC_OK;
}

_Noreturn void fc_tp_abort(fc_tp_t *tp, int status)
{
    if (tp && !tp->serial && tp->size > 1) MPI_Abort(tp->comm, status);
    exit(status);
}
