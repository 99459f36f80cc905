/* fc_file.h — file-system helpers shared by the output and checkpoint writers. */
#ifndef FC_FILE_H
#define FC_FILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "fc_error.h"

/* mkdir -p. */
FC_MUST int fc_mkdirs(const char *dir);
/* Write bytes to dir/name atomically: dir/name.tmp, fsync, rename, fsync the folder — a torn
 * write can never replace a good file. */
FC_MUST int fc_write_atomic(const char *dir, const char *name, const void *data, size_t len);
/* Read a whole file (at most max_bytes) into a fresh buffer (*out, NUL-terminated). */
FC_MUST int fc_read_file(const char *path, size_t max_bytes, char **out, size_t *len);

/* getline() with a bound and an early stop: reads one line (with its '\n') into the
 * malloc'd *line. Returns its length; -1 at end of file (or a read error: check ferror);
 * -2 when the line would exceed max bytes; -3 when memory for it ran out. A NUL byte ends the line
 * at once (the length then counts it, so strlen(*line) < length tells the caller), so an endless
 * stream of NULs such as /dev/zero is reported on its first line instead of filling memory. */
ssize_t fc_getline(char **line, size_t *cap, FILE *f, size_t max);

/* The text readers' next line of path: fc_getline with at most max bytes, counting lines in
 * *lineno; *len = -1 at end of file. A line that is too long, that ran out of memory or
 * that holds a NUL byte is an error "PATH:LINE: ...". */
FC_MUST int fc_next_text_line(FILE *f, const char *path, size_t max, char **line, size_t *cap,
                              size_t *lineno, ssize_t *len);

#endif
