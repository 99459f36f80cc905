/* fc_checkpoint.c — checkpoint container: serialisation and a defensive parser.
 * Layout: "FEDPCCK1", u32 byte-order mark 0x01020304, u32 version, u32 section count, then
 * per section: tag[16], u64 byte count, u32 CRC-32, the bytes; finally "ENDCKPT1". */
#include "fc_checkpoint.h"

#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "fc_file.h"
#include "fc_mem.h"

#define MAGIC "FEDPCCK1"
#define TRAILER "ENDCKPT1"
#define BOM 0x01020304u
#define VERSION 1u
#define MAX_FILE ((size_t)1 << 38) /* 256 GiB: anything larger is not ours */

typedef struct {
    char tag[FC_CKPT_TAG];
    size_t bytes;
    unsigned char *data;
} section_t;

struct fc_ckpt {
    int n;
    section_t s[FC_CKPT_MAX_SECTIONS];
};

int fc_ckpt_create(fc_ckpt_t **out)
{
    return fc_calloc(1, sizeof(fc_ckpt_t), out);
}

void fc_ckpt_destroy(fc_ckpt_t **pc)
{
    fc_ckpt_t *c = pc ? *pc : NULL;
    if (!c) return;
    for (int i = 0; i < c->n; i++)
        fc_free(&c->s[i].data);
    fc_free(pc);
}

int fc_ckpt_put(fc_ckpt_t *c, const char *tag, const void *data, size_t bytes)
{
    size_t dummy;
    if (strlen(tag) >= FC_CKPT_TAG || c->n == FC_CKPT_MAX_SECTIONS || fc_ckpt_get(c, tag, &dummy))
        return fc_err_set(FC_EINVAL, "checkpoint section '%s': bad tag or too many", tag);
    section_t *s = &c->s[c->n];
    memset(s->tag, 0, sizeof s->tag);
    memcpy(s->tag, tag, strlen(tag));
    int err = fc_alloc(bytes, 1, &s->data);
    if (err) return err;
    if (bytes) memcpy(s->data, data, bytes);
    s->bytes = bytes;
    c->n++;
    return FC_OK;
}

const void *fc_ckpt_get(const fc_ckpt_t *c, const char *tag, size_t *bytes)
{
    for (int i = 0; i < c->n; i++)
        if (strncmp(c->s[i].tag, tag, FC_CKPT_TAG) == 0) {
            *bytes = c->s[i].bytes;
            return c->s[i].data;
        }
    *bytes = 0;
    return NULL;
}

/* CRC-32 over a length that may exceed uInt. */
static uint32_t crc_of(const unsigned char *p, size_t n)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    while (n > 0) {
        uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = crc32(crc, p, chunk);
        p += chunk;
        n -= chunk;
    }
    return (uint32_t)crc;
}

int fc_ckpt_write(const fc_ckpt_t *c, const char *dir, const char *name)
{
    int err;
    size_t total = 8 + 12 + 8, off = 0;
    unsigned char *buf = NULL;
    for (int i = 0; i < c->n; i++)
        total += FC_CKPT_TAG + 8 + 4 + c->s[i].bytes;
    FC_CALL(fc_alloc(total, 1, &buf));
    uint32_t head[3] = {BOM, VERSION, (uint32_t)c->n};
    memcpy(buf, MAGIC, 8);
    memcpy(buf + 8, head, sizeof head);
    off = 20;
    for (int i = 0; i < c->n; i++) {
        const section_t *s = &c->s[i];
        uint64_t bytes = s->bytes;
        uint32_t crc = crc_of(s->data, s->bytes);
        memcpy(buf + off, s->tag, FC_CKPT_TAG);
        memcpy(buf + off + FC_CKPT_TAG, &bytes, 8);
        memcpy(buf + off + FC_CKPT_TAG + 8, &crc, 4);
        off += FC_CKPT_TAG + 12;
        if (s->bytes) memcpy(buf + off, s->data, s->bytes);
        off += s->bytes;
    }
    memcpy(buf + off, TRAILER, 8);
    FC_CALL(fc_write_atomic(dir, name, buf, total));
cleanup:
    fc_free(&buf);
    return err;
}

int fc_ckpt_parse(const char *path, const void *data, size_t len, fc_ckpt_t **out)
{
    int err;
    const unsigned char *p = data;
    fc_ckpt_t *c = NULL;
    uint32_t head[3];
    size_t off = 20;
    *out = NULL;
    if (len < 28 || memcmp(p, MAGIC, 8) != 0)
        return fc_err_set(FC_EDATA, "%s: corrupt checkpoint: not a fedpc checkpoint", path);
    memcpy(head, p + 8, sizeof head);
    if (head[0] != BOM)
        return fc_err_set(FC_EDATA,
                          "%s: corrupt checkpoint: written on a machine of another "
                          "byte order",
                          path);
    if (head[1] != VERSION)
        return fc_err_set(FC_EDATA, "%s: corrupt checkpoint: version %u, expected %u", path,
                          head[1], VERSION);
    if (head[2] > FC_CKPT_MAX_SECTIONS)
        return fc_err_set(FC_EDATA, "%s: corrupt checkpoint: %u sections", path, head[2]);
    FC_CALL(fc_ckpt_create(&c));
    for (uint32_t i = 0; i < head[2]; i++) {
        char tag[FC_CKPT_TAG + 1] = {0};
        uint64_t bytes;
        uint32_t crc;
        if (len - off < FC_CKPT_TAG + 12 + 8)
            FC_FAIL(FC_EDATA, "%s: corrupt checkpoint: truncated in section %u", path, i);
        memcpy(tag, p + off, FC_CKPT_TAG);
        memcpy(&bytes, p + off + FC_CKPT_TAG, 8);
        memcpy(&crc, p + off + FC_CKPT_TAG + 8, 4);
        off += FC_CKPT_TAG + 12;
        /* A name, then zeros to the end of its field: one encoding per checkpoint. */
        const char *nul = memchr(tag, '\0', FC_CKPT_TAG);
        int padded = nul != NULL;
        for (const char *q = nul; padded && q < tag + FC_CKPT_TAG; q++)
            padded = *q == '\0';
        if (!padded || tag[0] == '\0')
            FC_FAIL(FC_EDATA, "%s: corrupt checkpoint: bad section name %u", path, i);
        if (bytes > len - off - 8)
            FC_FAIL(FC_EDATA,
                    "%s: corrupt checkpoint: section '%s' claims %llu bytes, the file "
                    "has %zu left",
                    path, tag, (unsigned long long)bytes, len - off - 8);
        if (crc_of(p + off, (size_t)bytes) != crc)
            FC_FAIL(FC_EDATA, "%s: corrupt checkpoint: section '%s' fails its CRC", path, tag);
        err = fc_ckpt_put(c, tag, p + off, (size_t)bytes);
        if (err) FC_FAIL(FC_EDATA, "%s: corrupt checkpoint: duplicate section '%s'", path, tag);
        off += (size_t)bytes;
    }
    if (len - off != 8 || memcmp(p + off, TRAILER, 8) != 0)
        FC_FAIL(FC_EDATA, "%s: corrupt checkpoint: bad ending (truncated or trailing bytes)", path);
    *out = c;
    return FC_OK;
cleanup:
    fc_ckpt_destroy(&c);
    return err;
}

int fc_ckpt_read(const char *path, fc_ckpt_t **out)
{
    char *buf = NULL;
    size_t len = 0;
    *out = NULL;
    int err = fc_read_file(path, MAX_FILE, &buf, &len);
    if (!err) err = fc_ckpt_parse(path, buf, len, out);
    fc_free(&buf);
    return err;
}
