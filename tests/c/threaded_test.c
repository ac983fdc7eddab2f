/*
 * Many threads, one store: 8 threads verify chains against one shared certchain_store (built
 * once with the store builder) and one shared certchain_options, and check every verdict.
 *
 *   threaded_test FIXTURES_DIR [VERIFICATIONS_PER_THREAD]    (default 500: 4000 in all)
 *
 * Each thread cycles through five cases (a good RSA chain by host, a wrong host, an expired
 * leaf at a later time, a good ECDSA chain by IP address through the shared options, and a
 * chain that does not parse), and checks that certchain_last_error() is per thread. Run by
 * tests/c_example.rs and, under ASan+UBSan and Valgrind, by .ci/c-sanitizers.sh. Exits 0 when
 * every verdict was the expected one, 1 otherwise.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certchain.h"

#define THREADS 8
#define T_2025_06 1748736000 /* every fixture set is valid then */
#define T_2027 1800000000    /* the fixture leaves have expired */

static const char *fixtures;

static uint8_t *slurp(const char *rel, size_t *len) {
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", fixtures, rel);
    if (n <= 0 || (size_t)n >= sizeof path) {
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "threaded_test: cannot open %s\n", path);
        return NULL;
    }
    uint8_t *buf = malloc(1 << 16);
    size_t got = buf != NULL ? fread(buf, 1, 1 << 16, f) : 0;
    int bad = ferror(f) || got == 0 || got == (1 << 16);
    fclose(f);
    if (bad) {
        free(buf);
        fprintf(stderr, "threaded_test: cannot read %s\n", path);
        return NULL;
    }
    *len = got;
    return buf;
}

/* What every thread shares, read-only once the threads start. */
struct shared {
    const certchain_store *store;
    const certchain_options *ecdsa_opts; /* time 2025-06, host 192.0.2.10 */
    const uint8_t *rsa;
    size_t rsa_len;
    const uint8_t *ecdsa;
    size_t ecdsa_len;
    long per_thread;
};

struct job {
    const struct shared *shared;
    int index;
    long verified;  /* verifications whose verdict was the expected one */
    long failures;  /* anything else */
};

static void fail(struct job *job, long i, const char *what, const certchain_result *r) {
    if (job->failures++ < 5) {
        fprintf(stderr, "threaded_test: thread %d, iteration %ld: %s (verdict %u: %s)\n",
                job->index, i, what, certchain_result_status(r),
                r != NULL ? certchain_result_message(r) : certchain_last_error());
    }
}

/* One verification whose verdict must be `want` (and, for a failure, at depth `depth`). */
static void check(struct job *job, long i, certchain_status call, certchain_result *r,
                  uint32_t want, int64_t depth, size_t chain_len) {
    if (call != CERTCHAIN_OK || r == NULL) {
        fail(job, i, "the call failed", NULL);
        return;
    }
    uint32_t got = certchain_result_status(r);
    const char *msg = certchain_result_message(r);
    if (got != want) {
        fail(job, i, "unexpected verdict", r);
    } else if (certchain_result_depth(r) != depth) {
        fail(job, i, "unexpected depth", r);
    } else if (certchain_result_chain_len(r) != chain_len) {
        fail(job, i, "unexpected chain length", r);
    } else if (msg == NULL || (want == CERTCHAIN_OK) != (msg[0] == '\0')) {
        fail(job, i, "unexpected message", r);
    } else if (chain_len > 0 && !certchain_result_is_trust_anchor(r, chain_len - 1)) {
        fail(job, i, "the last certificate is not the trust anchor", r);
    } else {
        job->verified++;
    }
    certchain_result_free(r);
}

static void *run(void *arg) {
    struct job *job = arg;
    const struct shared *s = job->shared;
    for (long i = 0; i < s->per_thread; i++) {
        certchain_result *r = NULL;
        certchain_status call;
        switch ((i + job->index) % 5) {
        case 0:
            call = certchain_verify(s->store, s->rsa, s->rsa_len, "rsa.example.test", T_2025_06,
                                    &r);
            check(job, i, call, r, CERTCHAIN_OK, -1, 3);
            break;
        case 1:
            call = certchain_verify(s->store, s->rsa, s->rsa_len, "wrong.example.test",
                                    T_2025_06, &r);
            check(job, i, call, r, CERTCHAIN_HOSTNAME_MISMATCH, 0, 3);
            break;
        case 2:
            call = certchain_verify(s->store, s->rsa, s->rsa_len, NULL, T_2027, &r);
            check(job, i, call, r, CERTCHAIN_EXPIRED, 0, 3);
            break;
        case 3:
            call = certchain_verify_with_options(s->store, s->ecdsa, s->ecdsa_len, s->ecdsa_opts,
                                                 &r);
            check(job, i, call, r, CERTCHAIN_OK, -1, 3);
            break;
        default:
            /* a truncated chain: a verdict, not a call failure */
            call = certchain_verify(s->store, s->rsa, s->rsa_len / 3, NULL, T_2025_06, &r);
            check(job, i, call, r, CERTCHAIN_MALFORMED, -1, 0);
            break;
        }
        /* The last error is per thread: this thread's failure, not another's. */
        if (i % 50 == 0) {
            char name[64];
            snprintf(name, sizeof name, "/nonexistent/thread-%d-%ld.pem", job->index, i);
            certchain_store *unused = NULL;
            if (certchain_store_from_file(name, &unused) != CERTCHAIN_IO || unused != NULL ||
                strstr(certchain_last_error(), name) == NULL) {
                fail(job, i, "certchain_last_error is not this thread's", NULL);
            }
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: threaded_test FIXTURES_DIR [VERIFICATIONS_PER_THREAD]\n");
        return 2;
    }
    fixtures = argv[1];
    long per_thread = argc == 3 ? strtol(argv[2], NULL, 10) : 500;
    if (per_thread <= 0) {
        fprintf(stderr, "threaded_test: VERIFICATIONS_PER_THREAD must be positive\n");
        return 2;
    }

    size_t root_len = 0;
    uint8_t *rsa_root = slurp("rsa/root.pem", &root_len);
    struct shared s = {.per_thread = per_thread};
    uint8_t *rsa = slurp("rsa/chain.pem", &s.rsa_len);
    uint8_t *ecdsa = slurp("ecdsa/chain.pem", &s.ecdsa_len);
    if (rsa_root == NULL || rsa == NULL || ecdsa == NULL) {
        return 1;
    }
    s.rsa = rsa;
    s.ecdsa = ecdsa;

    /* One store for everyone: the RSA root from bytes, the ECDSA root from its file. */
    certchain_store_builder *b = NULL;
    certchain_store *store = NULL;
    char ecdsa_root[4096];
    snprintf(ecdsa_root, sizeof ecdsa_root, "%s/ecdsa/root.pem", fixtures);
    if (certchain_store_builder_new(&b) != CERTCHAIN_OK ||
        certchain_store_builder_add_pem(b, rsa_root, root_len) != CERTCHAIN_OK ||
        certchain_store_builder_add_file(b, ecdsa_root) != CERTCHAIN_OK ||
        certchain_store_builder_build(b, &store) != CERTCHAIN_OK) {
        fprintf(stderr, "threaded_test: building the store: %s\n", certchain_last_error());
        return 1;
    }
    free(rsa_root);
    s.store = store;

    certchain_options *opts = NULL;
    if (certchain_options_new(T_2025_06, &opts) != CERTCHAIN_OK ||
        certchain_options_set_host(opts, "192.0.2.10") != CERTCHAIN_OK) {
        fprintf(stderr, "threaded_test: options: %s\n", certchain_last_error());
        return 1;
    }
    s.ecdsa_opts = opts;

    pthread_t threads[THREADS];
    struct job jobs[THREADS];
    for (int t = 0; t < THREADS; t++) {
        jobs[t] = (struct job){.shared = &s, .index = t};
        if (pthread_create(&threads[t], NULL, run, &jobs[t]) != 0) {
            fprintf(stderr, "threaded_test: pthread_create failed\n");
            return 1;
        }
    }
    long verified = 0, failures = 0;
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        verified += jobs[t].verified;
        failures += jobs[t].failures;
    }

    certchain_options_free(opts);
    certchain_store_free(store);
    free(rsa);
    free(ecdsa);

    if (failures != 0 || verified != per_thread * THREADS) {
        fprintf(stderr, "threaded_test: %ld failures, %ld of %ld verdicts as expected\n",
                failures, verified, per_thread * THREADS);
        return 1;
    }
    printf("threaded_test: %ld verifications in %d threads sharing one store passed\n", verified,
           THREADS);
    return 0;
}
