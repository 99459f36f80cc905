/* fc_protocol.c — client placement. */
#include "fc_protocol.h"

void fc_placement(size_t K, int P, int r, size_t *lo, size_t *hi)
{
    if (P <= 1) {
        *lo = 0;
        *hi = K;
        return;
    }
    if (r == 0) {
        *lo = *hi = 0;
        return;
    }
    /* Balanced blocks: the first K mod (P−1) hosts take one extra client. */
    size_t W = (size_t)P - 1, i = (size_t)r - 1, q = K / W, rem = K % W;
    *lo = i * q + (i < rem ? i : rem);
    *hi = *lo + q + (i < rem ? 1 : 0);
}
