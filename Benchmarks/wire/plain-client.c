/* The plain loop for Benchmarks/daemon-vs-wire.py: the daemon's request sequence for the
 * saturated site with bare libmodbus calls and nothing else. Per cycle, for each unit 1..UNITS:
 * read DI discrete inputs at 0, then IR input registers at 0 (two requests per unit, like the
 * daemon's plan for the site the script writes). Runs SECONDS, prints "requests N cpu_us C".
 * Built by the script: gcc -O2 plain-client.c -lmodbus
 *   usage: plain-client PORT UNITS DI IR SECONDS */
#include <errno.h>
#include <modbus/modbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

int main(int argc, char **argv) {
    if (argc < 6) { fprintf(stderr, "usage: plain-client PORT UNITS DI IR SECONDS\n"); return 2; }
    int units = atoi(argv[2]), di = atoi(argv[3]), ir = atoi(argv[4]);
    double seconds = atof(argv[5]);
    modbus_t *ctx = modbus_new_tcp("127.0.0.1", atoi(argv[1]));
    if (!ctx || modbus_connect(ctx) < 0) { fprintf(stderr, "plain-client: connect: %s\n", modbus_strerror(errno)); return 1; }
    uint8_t bits[2000];
    uint16_t regs[125];
    unsigned long long requests = 0;
    double end = now() + seconds;
    while (now() < end) {
        for (int u = 1; u <= units; u++) {
            modbus_set_slave(ctx, u);
            if (modbus_read_input_bits(ctx, 0, di, bits) == di) requests++;
            if (modbus_read_input_registers(ctx, 0, ir, regs) == ir) requests++;
        }
    }
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    long long cpu = (long long)r.ru_utime.tv_sec * 1000000 + r.ru_utime.tv_usec + (long long)r.ru_stime.tv_sec * 1000000 + r.ru_stime.tv_usec;
    printf("requests %llu cpu_us %lld\n", requests, cpu);
    modbus_close(ctx);
    modbus_free(ctx);
    return 0;
}
