// libc pieces for Embedded Swift on wasm32 (see include/NavidromePDKSupport.h).
#if defined(__wasm__)
#include <stddef.h>
#include <stdint.h>

// ---- Allocator -------------------------------------------------------------------------
// Segregated free lists with power-of-two size classes (16 B ... 2 GiB). Each block has a
// 16-byte header holding its class, so free() needs no size. Memory grows with
// memory.grow from __heap_base; freed blocks are reused by later allocations of the same
// class. Plugins run one call per instance, so simplicity beats compaction here.

extern unsigned char __heap_base;

#define HEADER 16u
#define MIN_SHIFT 4u
#define CLASSES 28u
#define PAGE 65536u

static uintptr_t heap_next;
static void *free_lists[CLASSES];

static unsigned size_class(size_t n) {
    if (n <= ((size_t)1 << MIN_SHIFT)) return 0;
    unsigned bits = 32u - (unsigned)__builtin_clz((unsigned)(n - 1)); // ceil(log2 n)
    return bits - MIN_SHIFT >= CLASSES ? CLASSES : bits - MIN_SHIFT;
}

static void *bump(size_t total, size_t align) {
    if (heap_next == 0) heap_next = (uintptr_t)&__heap_base;
    uintptr_t start = (heap_next + HEADER + (align - 1)) & ~(uintptr_t)(align - 1);
    uintptr_t end = start + total - HEADER;
    if (end < start) return 0;
    size_t have = __builtin_wasm_memory_size(0) * PAGE;
    if (end > have) {
        size_t pages = (end - have + PAGE - 1) / PAGE;
        if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) return 0;
    }
    heap_next = end;
    return (void *)start;
}

static void *allocate(size_t n, size_t align) {
    if (n == 0) n = 1;
    unsigned c = size_class(n);
    if (c >= CLASSES) return 0;
    void *p;
    if (align <= HEADER && free_lists[c]) {
        p = free_lists[c];
        free_lists[c] = *(void **)p;
    } else {
        p = bump(((size_t)1 << (c + MIN_SHIFT)) + HEADER, align < HEADER ? HEADER : align);
        if (!p) return 0;
    }
    ((uint32_t *)p)[-1] = c;
    ((uint32_t *)p)[-2] = (uint32_t)align;
    return p;
}

void *malloc(size_t n) { return allocate(n, HEADER); }

void free(void *p) {
    if (!p) return;
    unsigned c = ((uint32_t *)p)[-1];
    uint32_t align = ((uint32_t *)p)[-2];
    if (c >= CLASSES || align > HEADER) return; // over-aligned blocks are not recycled
    *(void **)p = free_lists[c];
    free_lists[c] = p;
}

// Linear memory size in 64 KiB pages (tests use it to check that memory is reused).
size_t navidrome_pdk_memory_pages(void) { return __builtin_wasm_memory_size(0); }

int posix_memalign(void **out, size_t align, size_t n) {
    if (align == 0 || (align & (align - 1)) != 0) return 22; // EINVAL
    void *p = allocate(n, align);
    if (!p) return 12; // ENOMEM
    *out = p;
    return 0;
}

// ---- Memory routines ---------------------------------------------------------------------
// Word-at-a-time when aligned; compiled with -fno-builtin so loops never become self-calls.

void *memset(void *dst, int c, size_t n) {
    unsigned char *d = dst;
    unsigned char b = (unsigned char)c;
    while (n && ((uintptr_t)d & 7)) { *d++ = b; n--; }
    uint64_t w = b * 0x0101010101010101ULL;
    while (n >= 8) { *(uint64_t *)d = w; d += 8; n -= 8; }
    while (n--) *d++ = b;
    return dst;
}

/* Eight bytes per step whatever the alignment: wasm loads and stores need none. */
typedef uint64_t __attribute__((aligned(1), may_alias)) unaligned_u64;

void *memcpy(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n >= 8) { *(unaligned_u64 *)d = *(const unaligned_u64 *)s; d += 8; s += 8; n -= 8; }
    while (n--) *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d == s || n == 0) return dst;
    if (d < s || d >= s + n) return memcpy(dst, src, n);
    d += n;
    s += n;
    while (n--) *--d = *--s;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q) return (int)*p - (int)*q;
    return 0;
}

size_t strlen(const char *s) {
    const char *p = s;
    while (*p) p++;
    return (size_t)(p - s);
}

// Hash seeding for Dictionary/Set. A per-instance constant is enough: plugins hash only
// data of their own calls, and each call gets a fresh instance.
void arc4random_buf(void *buf, size_t n) {
    unsigned char *d = buf;
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    while (n--) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        *d++ = (unsigned char)x;
    }
}

// ---- putchar ------------------------------------------------------------------------------
// Unoptimised builds print runtime failure messages ("Fatal error: ...") with putchar. Lines go
// to the host's error log through the Extism kernel, so a trap explains itself.

#define KERNEL_IMPORT(name) __attribute__((import_module("extism:host/env"), import_name(name)))
KERNEL_IMPORT("alloc") long long extism_alloc(long long length);
KERNEL_IMPORT("store_u8") void extism_store_u8(long long offset, unsigned char value);
KERNEL_IMPORT("log_error") void extism_log_error(long long offset);

static char line_buffer[256];
static size_t line_used;

static void flush_line(void) {
    if (line_used == 0) return;
    long long offset = extism_alloc((long long)line_used);
    if (offset != 0) {
        for (size_t i = 0; i < line_used; i++) extism_store_u8(offset + (long long)i, (unsigned char)line_buffer[i]);
        extism_log_error(offset);
    }
    line_used = 0;
}

int putchar(int c) {
    if (c == '\n') {
        flush_line();
    } else {
        line_buffer[line_used++] = (char)c;
        if (line_used == sizeof line_buffer) flush_line();
    }
    return c;
}

// 128-bit multiply (compiler-rt builtin used by the standard library's number formatting).
__int128 __multi3(__int128 a, __int128 b) {
    uint64_t al = (uint64_t)a, bl = (uint64_t)b;
    uint64_t ah = (uint64_t)((unsigned __int128)a >> 64), bh = (uint64_t)((unsigned __int128)b >> 64);
    uint64_t a0 = al & 0xffffffffu, a1 = al >> 32, b0 = bl & 0xffffffffu, b1 = bl >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    uint64_t lo = (mid << 32) | (p00 & 0xffffffffu);
    uint64_t hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32) + al * bh + ah * bl;
    return (__int128)(((unsigned __int128)hi << 64) | lo);
}
#endif
