// The reference MQTT client library (Debian libmosquitto-dev), wrapped the way libmodbus is.
#include <mosquitto.h>
