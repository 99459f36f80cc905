/* fc_bench_pmpi.c — an MPI profiling (PMPI) shim, LD_PRELOADed into fedpc by run.sh: counts
 * the bytes every rank really sends and receives (fc_transport's MPI_Bcast, MPI_Send,
 * MPI_Recv; MPI_Allreduce calls are counted, their few bytes are not), the seconds spent
 * inside those calls (waiting included), and at MPI_Finalize appends one line per rank
 *   PMPI <rank> <sent bytes> <received bytes> <messages> <allreduces> <seconds in MPI>
 *        <peak RSS kB> <CPU seconds, user + system>
 * to the file named by FC_BENCH_PMPI_OUT (stderr when unset). A broadcast counts
 * (P − 1) × its size as sent by the root and its size as received by the others. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

static struct {
    double sent, recvd, sec;
    long messages, allreduces;
} S;

static double type_bytes(MPI_Datatype t, int count)
{
    int size = 0;
    PMPI_Type_size(t, &size);
    return (double)size * (double)count;
}

int MPI_Bcast(void *buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm)
{
    int rank = 0, P = 1;
    double t0 = PMPI_Wtime();
    int rc = PMPI_Bcast(buffer, count, datatype, root, comm);
    S.sec += PMPI_Wtime() - t0;
    PMPI_Comm_rank(comm, &rank);
    PMPI_Comm_size(comm, &P);
    if (rank == root)
        S.sent += (double)(P - 1) * type_bytes(datatype, count), S.messages += P - 1;
    else
        S.recvd += type_bytes(datatype, count);
    return rc;
}

int MPI_Send(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm)
{
    double t0 = PMPI_Wtime();
    int rc = PMPI_Send(buf, count, datatype, dest, tag, comm);
    S.sec += PMPI_Wtime() - t0;
    S.sent += type_bytes(datatype, count);
    S.messages++;
    return rc;
}

int MPI_Recv(void *buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm,
             MPI_Status *status)
{
    double t0 = PMPI_Wtime();
    int rc = PMPI_Recv(buf, count, datatype, source, tag, comm, status);
    S.sec += PMPI_Wtime() - t0;
    S.recvd += type_bytes(datatype, count);
    return rc;
}

int MPI_Allreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op,
                  MPI_Comm comm)
{
    double t0 = PMPI_Wtime();
    int rc = PMPI_Allreduce(sendbuf, recvbuf, count, datatype, op, comm);
    S.sec += PMPI_Wtime() - t0;
    S.allreduces++;
    return rc;
}

int MPI_Finalize(void)
{
    int rank = 0;
    struct rusage ru;
    PMPI_Comm_rank(MPI_COMM_WORLD, &rank);
    getrusage(RUSAGE_SELF, &ru);
    const char *path = getenv("FC_BENCH_PMPI_OUT");
    FILE *f = path ? fopen(path, "a") : NULL;
    double cpu = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
                 (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    fprintf(f ? f : stderr, "PMPI\t%d\t%.0f\t%.0f\t%ld\t%ld\t%.6f\t%ld\t%.3f\n", rank, S.sent,
            S.recvd, S.messages, S.allreduces, S.sec, ru.ru_maxrss, cpu);
    if (f) fclose(f);
    return PMPI_Finalize();
}
