// glibc's <malloc.h> (mallopt, malloc_trim, M_ARENA_MAX, M_MMAP_THRESHOLD), which Swift's Glibc
// module leaves out.
#include <malloc.h>
