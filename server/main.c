/* main.c — the fedpc executable: everything is in fc_main (fc_app.c). */
#include "fc_app.h"

int main(int argc, char **argv)
{
    return fc_main(argc, argv);
}
