/* fedpc_ext.c — fedpc with the scalar family and the gd algorithm of tests/ext added
 * through the public registration calls: the whole program otherwise unchanged. */
#include <stdio.h>

#include "fc_app.h"
#include "fc_ext.h"

int main(int argc, char **argv)
{
    if (fc_family_register(&fc_ext_scalar_family) || fc_algo_register(&fc_ext_gd_algorithm)) {
        fprintf(stderr, "fedpc_ext: %s\n", fc_err_msg());
        return 1;
    }
    return fc_main(argc, argv);
}
