/* fc_host.h — the client role: the logical clients one rank hosts, their data shards and
 * sites (or duals), and the execution of the server's commands on them.
 * Ownership: the host owns its clients, their state and its work buffers; it borrows the
 * shards, the model and the transport. */
#ifndef FC_HOST_H
#define FC_HOST_H

#include "fc_algo.h"
#include "fc_dataset.h"
#include "fc_protocol.h"
#include "fc_transport.h"

typedef struct fc_host fc_host_t;

/* ctx[FC_SLOT_MAIN] is the run's algorithm, ctx[FC_SLOT_REF] the central reference. */
FC_MUST int fc_host_create(fc_tp_t *tp, const fc_algo_ctx_t ctx[FC_NSLOTS],
                           const fc_shards_t *shards, uint64_t seed, double participation,
                           fc_host_t **out);
void fc_host_destroy(fc_host_t **h);

/* Collective: run one command on this rank's clients (see fc_exec_fn). A failure is
 * reported on stderr by the rank where it happens, naming rank and client. */
FC_MUST int fc_host_execute(void *host, const fc_cmd_t *cmd, const double *payload, double *result);

/* Collective, ranks other than 0: receive and execute commands until FC_CMD_DONE; returns
 * the exit status the server sent (or FC_EXIT_INTERNAL if the transport failed). */
int fc_host_serve(fc_host_t *h);

/* Doubles in a command's result (the same on every rank). */
size_t fc_host_result_len(const fc_algo_ctx_t *ctx, const fc_cmd_t *cmd);

#endif
