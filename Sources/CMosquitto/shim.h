// The reference MQTT client library (Debian libmosquitto-dev), wrapped the way libmodbus is.
#include <mosquitto.h>
#include <sys/prctl.h>

// Names the calling thread (libmosquitto's network thread, from its first callback): prctl is
// variadic, which Swift cannot call.
static inline int _watchroom_mqtt_thread_name(const char *name) { return prctl(PR_SET_NAME, name, 0, 0, 0); }
