/* fc_async_proto.h — the messages of the asynchronous schedule (SPEC §11), arrays of
 * doubles whose integers (client, versions, counts) are exact below 2^53.
 *   up   (client rank -> server): [kind, k, updates so far, version used, ℓ_k, corr², delta]
 *   down (server -> client rank): [kind, k, factor, version, delay, state] — delay: the
 *   seconds client k waits before sending its next update (run.client_delay)
 * An update's result in the server-driven modes (FC_CMD_ASYNC_ONE) is the up message's
 * [version used, ℓ_k, corr², delta] part. A client's held block (checkpoints) is
 * [version held (−1: not joined), updates so far, state]. */
#ifndef FC_ASYNC_PROTO_H
#define FC_ASYNC_PROTO_H

enum { FC_UP_JOIN = 1, FC_UP_UPDATE, FC_UP_IDLE, FC_UP_FAIL };
enum { FC_DOWN_STATE = 1, FC_DOWN_STOP };
enum { FC_TAG_UP = 11, FC_TAG_DOWN, FC_TAG_TEXT };

#define FC_UP_HEAD 6   /* kind, k, updates (a failure: its error code), used, loss, corr² */
#define FC_DOWN_HEAD 5 /* kind, k, factor, version, delay */
#define FC_ONE_HEAD 3  /* used, loss, corr² */
#define FC_SETTLE_HEAD 3
#define FC_HELD_HEAD 2 /* version, updates */
#define FC_FAIL_TEXT 1024

#endif
