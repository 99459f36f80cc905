/* fc_server_async.h — the server role of the asynchronous schedule (SPEC §11). Private to
 * the server's files. */
#ifndef FC_SERVER_ASYNC_H
#define FC_SERVER_ASYNC_H

#include <stdio.h>

#include "fc_server_impl.h"

/* One round: n_t applied updates (n_t = the round's participants), each applied at once
 * to the newest version and answered to its client alone (collective over the job). */
FC_MUST int fc_srv_async_round(server_t *s, int round);
/* The progress line's staleness part for the round just made ("" when not async). */
void fc_srv_async_progress(const server_t *s, FILE *f);
void fc_srv_async_destroy(server_t *s);

/* Checkpoints: the schedule's state — the server's counts, each client's held version,
 * updates so far and virtual-clock event, the replay position, and (collective) every
 * client's held posterior — as one array of doubles, and back. */
FC_MUST int fc_srv_async_save(server_t *s, double **out, size_t *n);
FC_MUST int fc_srv_async_restore(server_t *s, const double *in, size_t n);

#endif
