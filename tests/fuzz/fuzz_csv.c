/* fuzz_csv.c — fuzz the csv reader (fc_data_read_csv) with every label rule. */
#include <stdint.h>

#include "fc_data.h"
#include "fuzz_text.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_text_reader("csv", "fuzz.csv", fc_data_read_csv, SIZE_MAX, data, size);
    return 0;
}
