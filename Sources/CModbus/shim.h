#ifndef WATCHROOM_CMODBUS_SHIM_H
#define WATCHROOM_CMODBUS_SHIM_H
#include <modbus.h>
#include <errno.h>
#include <sys/prctl.h>

// Swift cannot read errno portably through a macro; these give it a function.
static inline int _watchroom_errno(void) { return errno; }
static inline void _watchroom_set_errno(int value) { errno = value; }
// Exposed constants that are macros in modbus.h.
static inline int _watchroom_modbus_enobase(void) { return MODBUS_ENOBASE; }
// Names the calling thread (what /proc/self/task/*/comm shows); prctl is variadic, which Swift cannot call.
static inline int _watchroom_set_thread_name(const char *name) { return prctl(PR_SET_NAME, name, 0, 0, 0); }
#endif
