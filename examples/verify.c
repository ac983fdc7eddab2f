/*
 * verify: check a certificate chain with certchain's C API.
 *
 *   verify ROOTS.pem CHAIN.pem [HOST] [UNIX_TIME]
 *
 * ROOTS.pem holds the trust anchors ("mozilla" for the Mozilla set built into the library),
 * CHAIN.pem the chain a server presents (leaf first, then intermediates; PEM or DER). HOST, if
 * given and not "-", must be covered by the leaf. UNIX_TIME (seconds since 1970) defaults to now.
 *
 * Prints one line per certificate of the verified path (or of the best path found when
 * verification fails), "depth=N SUBJECT", with " (trust anchor)" after the anchor, then "OK" or
 * "error: MESSAGE".
 *
 * Exit status, as the certchain command line: 0 verified; 1 not verified; 2 usage or input error
 * (bad arguments, unreadable file, unusable trust store, a call that failed, and a chain file
 * that cannot be read as certificates at all: certchain_verify reports that as the verdict
 * CERTCHAIN_MALFORMED with no depth, which this program prints to stderr).
 *
 * Build (from the repository root, after `cargo build --lib`):
 *   cc -Wall -Wextra -Werror -std=c11 -Iinclude examples/verify.c target/debug/libcertchain.a \
 *      -lc -lm -lrt -lpthread -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc -o verify
 * (the libraries are what `cargo rustc -q --lib --crate-type staticlib -- --print
 * native-static-libs` prints on Linux), or, after `make install`:
 *   cc -Wall -Wextra -Werror -std=c11 examples/verify.c $(pkg-config --cflags --libs certchain) -o verify
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certchain.h"

static void usage(void) {
    fprintf(stderr, "usage: verify ROOTS.pem|mozilla CHAIN.pem [HOST|-] [UNIX_TIME]\n");
}

/* The most a chain file may hold: the library's own limit for one bundle (64 MiB). */
#define MAX_CHAIN_BYTES ((size_t)64 * 1024 * 1024)

/* Read a whole file into a malloc'd buffer, at most MAX_CHAIN_BYTES (an endless file such as
 * /dev/zero is refused with EFBIG once more than that has been read). Returns 0, or -1 with
 * errno set. */
static int read_file(const char *path, uint8_t **data, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    if (buf == NULL) {
        fclose(f);
        return -1;
    }
    errno = 0;
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            break;
        }
        if (n > MAX_CHAIN_BYTES) {
            free(buf);
            fclose(f);
            errno = EFBIG;
            return -1;
        }
        uint8_t *bigger = realloc(buf, cap * 2);
        if (bigger == NULL) {
            free(buf);
            fclose(f);
            return -1;
        }
        buf = bigger;
        cap *= 2;
    }
    int failed = ferror(f);
    int err = errno != 0 ? errno : EIO; /* EISDIR for a directory */
    fclose(f);
    if (failed) {
        free(buf);
        errno = err;
        return -1;
    }
    *data = buf;
    *len = n;
    return 0;
}

/* Parse a non-negative decimal number of seconds. Returns 0 on success. */
static int parse_time(const char *s, int64_t *out) {
    if (*s < '0' || *s > '9') {
        return -1;
    }
    errno = 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < 0 || v > INT64_MAX) {
        return -1;
    }
    *out = (int64_t)v;
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 5) {
        usage();
        return 2;
    }
    const char *roots_path = argv[1];
    const char *chain_path = argv[2];
    const char *host = (argc > 3 && strcmp(argv[3], "-") != 0) ? argv[3] : NULL;
    int64_t now = (int64_t)time(NULL);
    if (argc > 4 && parse_time(argv[4], &now) != 0) {
        fprintf(stderr, "verify: UNIX_TIME must be a number of seconds since 1970, not %s\n", argv[4]);
        usage();
        return 2;
    }

    uint8_t *chain = NULL;
    size_t chain_len = 0;
    if (read_file(chain_path, &chain, &chain_len) != 0) {
        fprintf(stderr, "verify: %s: %s\n", chain_path, strerror(errno));
        return 2;
    }

    certchain_store *store = NULL;
    certchain_status loaded = strcmp(roots_path, "mozilla") == 0
                                  ? certchain_store_mozilla(&store)
                                  : certchain_store_from_file(roots_path, &store);
    if (loaded != CERTCHAIN_OK) {
        fprintf(stderr, "verify: %s\n", certchain_last_error());
        free(chain);
        return 2;
    }

    certchain_result *result = NULL;
    certchain_status status = certchain_verify(store, chain, chain_len, host, now, &result);
    /* The result does not refer to the store or the chain bytes: release them now. */
    certchain_store_free(store);
    free(chain);
    if (status != CERTCHAIN_OK) {
        fprintf(stderr, "verify: %s\n", certchain_last_error());
        return 2;
    }

    uint32_t verdict = certchain_result_status(result);
    if (certchain_result_depth(result) < 0 &&
        (verdict == CERTCHAIN_MALFORMED || verdict == CERTCHAIN_INVALID_ARGUMENT ||
         verdict == CERTCHAIN_IO)) {
        /* Not a verdict on a certificate: the chain file could not be read. */
        fprintf(stderr, "verify: %s: %s\n", chain_path, certchain_result_message(result));
        certchain_result_free(result);
        return 2;
    }

    size_t len = certchain_result_chain_len(result);
    for (size_t depth = 0; depth < len; depth++) {
        printf("depth=%zu %s%s\n", depth, certchain_result_subject(result, depth),
               certchain_result_is_trust_anchor(result, depth) ? " (trust anchor)" : "");
    }
    int verified = verdict == CERTCHAIN_OK;
    if (verified) {
        printf("OK\n");
    } else {
        printf("error: %s\n", certchain_result_message(result));
    }
    certchain_result_free(result);
    return verified ? 0 : 1;
}
