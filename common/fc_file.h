/* fc_file.h — file-system helpers shared by the output and checkpoint writers. */
#ifndef FC_FILE_H
#define FC_FILE_H

#include <stddef.h>

#include "fc_error.h"

/* mkdir -p. */
FC_MUST int fc_mkdirs(const char *dir);
/* Write bytes to dir/name atomically: dir/name.tmp, fsync, rename, fsync the folder — a torn
 * write can never replace a good file. */
FC_MUST int fc_write_atomic(const char *dir, const char *name, const void *data, size_t len);
/* Read a whole file (at most max_bytes) into a fresh buffer (*out, NUL-terminated). */
FC_MUST int fc_read_file(const char *path, size_t max_bytes, char **out, size_t *len);

#endif
