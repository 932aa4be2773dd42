/* The far end of the wire for Benchmarks/daemon-vs-wire.py: a plain libmodbus TCP server (any
 * unit id: libmodbus' TCP backend answers them all from one mapping) that counts the requests it
 * answers. Commands on stdin, one per line, each answered on stdout:
 *   count          -> the number of requests answered so far
 *   trip N         -> discrete inputs 0..N-1 read 1 (every unit: a storm of N zones per device)
 *   clear          -> every discrete input reads 0
 * Built by the script: gcc -O2 modbus-server.c -lmodbus
 *   usage: modbus-server PORT  (PORT 0: any free port; the first line printed is "port P") */
#include <errno.h>
#include <modbus/modbus.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FDS 64
#define BITS 2000
#define REGS 200

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 0;
    modbus_t *ctx = modbus_new_tcp("127.0.0.1", port ? port : 1502);
    modbus_mapping_t *map = modbus_mapping_new(BITS, BITS, REGS, REGS);
    if (!ctx || !map) { fprintf(stderr, "modbus-server: %s\n", modbus_strerror(errno)); return 1; }
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int yes = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) || listen(listener, 16)) { perror("modbus-server: bind"); return 1; }
    socklen_t len = sizeof addr;
    getsockname(listener, (struct sockaddr *)&addr, &len);
    printf("port %d\n", ntohs(addr.sin_port));
    fflush(stdout);

    struct pollfd fds[MAX_FDS];
    int n = 2;
    fds[0] = (struct pollfd){.fd = 0, .events = POLLIN};
    fds[1] = (struct pollfd){.fd = listener, .events = POLLIN};
    unsigned long long answered = 0;
    uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
    char line[128];
    FILE *in = fdopen(0, "r");
    for (;;) {
        if (poll(fds, n, -1) < 0) { if (errno == EINTR) continue; perror("poll"); return 1; }
        if (fds[0].revents) {
            if (!fgets(line, sizeof line, in)) return 0;  /* stdin closed: the script is done */
            int k;
            if (strncmp(line, "count", 5) == 0) printf("%llu\n", answered);
            else if (sscanf(line, "trip %d", &k) == 1) { for (int i = 0; i < BITS; i++) map->tab_input_bits[i] = i < k; printf("ok\n"); }
            else if (strncmp(line, "clear", 5) == 0) { memset(map->tab_input_bits, 0, BITS); printf("ok\n"); }
            else printf("? %s", line);
            fflush(stdout);
        }
        if (fds[1].revents & POLLIN) {
            int c = accept(listener, NULL, NULL);
            if (c >= 0 && n < MAX_FDS) {
                setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
                fds[n++] = (struct pollfd){.fd = c, .events = POLLIN};
            } else if (c >= 0) close(c);
        }
        for (int i = 2; i < n; i++) {
            if (!fds[i].revents) continue;
            modbus_set_socket(ctx, fds[i].fd);
            int rc = modbus_receive(ctx, query);
            if (rc > 0) { if (modbus_reply(ctx, query, rc, map) > 0) answered++; }
            else if (rc < 0) { close(fds[i].fd); fds[i] = fds[--n]; i--; }
        }
    }
}
