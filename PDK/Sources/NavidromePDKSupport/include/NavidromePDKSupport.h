// The few C library pieces Embedded Swift needs on wasm32-unknown-none-wasm: an allocator
// (malloc, free, posix_memalign), memory routines (memset, memcpy, memmove, memcmp),
// arc4random_buf for hash seeding and __multi3 for 128-bit multiplies. Compiled only for
// wasm; on other platforms the system C library provides them.
#ifndef NAVIDROME_PDK_SUPPORT_H
#define NAVIDROME_PDK_SUPPORT_H
#endif
