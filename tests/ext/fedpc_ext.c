/* fedpc_ext.c — fedpc with the scalar family, the gd algorithm and the linear_shifted model
 * of tests/ext added
 * through the public registration calls: the whole program otherwise unchanged. */
#include <stdio.h>

#include "fc_app.h"
#include "fc_ext.h"

int main(int argc, char **argv)
{
    if (fc_family_register(&fc_ext_scalar_family) || fc_algo_register(&fc_ext_gd_algorithm) ||
        fc_model_register(fc_ext_shifted_model())) {
        fprintf(stderr, "fedpc_ext: %s\n", fc_err_msg());
        return 1;
    }
    return fc_main(argc, argv);
}
