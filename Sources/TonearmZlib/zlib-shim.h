// The system zlib, for inflating and checksumming `.ndp` packages (PluginRuntime/PackageArchive).
#ifndef TONEARM_ZLIB_SHIM_H
#define TONEARM_ZLIB_SHIM_H
#include <zlib.h>
#endif
