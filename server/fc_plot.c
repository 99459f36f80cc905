/* fc_plot.c — PNG plots of a run or a sweep through gnuplot (placeholder: the full
 * implementation follows shortly; this keeps the link working). */
#include "fc_plot.h"

int fc_plot_dir(const char *dir)
{
    return fc_err_set(FC_EIO, "%s: plotting not implemented yet", dir);
}
