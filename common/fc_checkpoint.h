/* fc_checkpoint.h — the checkpoint container (SPEC §7 checkpoint.bin): named sections of
 * bytes, each with its length and CRC-32, behind a magic and a byte-order mark. Written
 * atomically; a reader that finds anything wrong says what and where, never trusts a
 * length it has not checked against the file's size.
 * Ownership: fc_ckpt_t owns copies of every section. */
#ifndef FC_CHECKPOINT_H
#define FC_CHECKPOINT_H

#include <stddef.h>

#include "fc_error.h"

#define FC_CKPT_MAX_SECTIONS 32
#define FC_CKPT_TAG 16

typedef struct fc_ckpt fc_ckpt_t;

FC_MUST int fc_ckpt_create(fc_ckpt_t **out);
void fc_ckpt_destroy(fc_ckpt_t **c);
/* Add a copy of bytes under tag (at most 15 characters, unique). */
FC_MUST int fc_ckpt_put(fc_ckpt_t *c, const char *tag, const void *data, size_t bytes);
/* The section's bytes, or NULL (then *bytes = 0) if absent. */
const void *fc_ckpt_get(const fc_ckpt_t *c, const char *tag, size_t *bytes);
/* Serialise to dir/name atomically. */
FC_MUST int fc_ckpt_write(const fc_ckpt_t *c, const char *dir, const char *name);
/* Parse a checkpoint held in memory (path names it in messages): FC_EDATA with
 * "PATH: corrupt checkpoint: ..." on any inconsistency. */
FC_MUST int fc_ckpt_parse(const char *path, const void *data, size_t len, fc_ckpt_t **out);
/* Read and parse a file (FC_EIO if missing). */
FC_MUST int fc_ckpt_read(const char *path, fc_ckpt_t **out);

#endif
