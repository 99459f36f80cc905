/* fuzz_libsvm.c — fuzz the libsvm reader (fc_data_read_libsvm) with every label rule. */
#include <stdint.h>

#include "fc_data.h"
#include "fuzz_text.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_text_reader("libsvm", "fuzz.svm", fc_data_read_libsvm, FC_LIBSVM_MAX_FEATURES, data, size);
    return 0;
}
