// ISA-L's deflate/gzip decoder (Debian: libisal-dev; the runtime library is libisal2).
#include <isa-l/igzip_lib.h>
