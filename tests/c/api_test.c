/*
 * Calls every function of include/certchain.h, with good and bad arguments, and checks what comes
 * back. Run by tests/c_example.rs (and under ASan+UBSan and Valgrind by .ci/c-sanitizers.sh) as
 * `api_test FIXTURES_DIR DATA_DIR` (the repository's fixtures/ and tests/c/data/); exits 0 when
 * every check passes, 1 at the first failed check (naming its line).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certchain.h"

#if !defined(CERTCHAIN_VERSION_NUMBER) || CERTCHAIN_VERSION_NUMBER < 100
#error "CERTCHAIN_VERSION_NUMBER must be usable in #if"
#endif

static int checks = 0;

#define CHECK(cond)                                                                              \
    do {                                                                                         \
        checks++;                                                                                \
        if (!(cond)) {                                                                           \
            fprintf(stderr, "api_test.c:%d: check failed: %s\n  last error: %s\n", __LINE__,    \
                    #cond, certchain_last_error());                                              \
            exit(1);                                                                             \
        }                                                                                        \
    } while (0)

#define CHECK_STR(got, want) CHECK((got) != NULL && strcmp((got), (want)) == 0)
#define CHECK_HAS(got, part) CHECK((got) != NULL && strstr((got), (part)) != NULL)

static const char *fixtures;
static const char *data_dir;

static char *path_in(const char *dir, const char *rel) {
    static char buf[4096];
    int n = snprintf(buf, sizeof buf, "%s/%s", dir, rel);
    CHECK(n > 0 && (size_t)n < sizeof buf);
    return buf;
}

static char *path_of(const char *rel) { return path_in(fixtures, rel); }

static uint8_t *slurp_path(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    uint8_t *buf = malloc(1 << 20);
    CHECK(buf != NULL);
    *len = fread(buf, 1, 1 << 20, f);
    CHECK(!ferror(f) && *len > 0 && *len < (1 << 20));
    fclose(f);
    return buf;
}

static uint8_t *slurp(const char *rel, size_t *len) { return slurp_path(path_of(rel), len); }

/* Sentinels: an out-parameter must keep them when a call fails. */
#define STORE_SENTINEL ((certchain_store *)(uintptr_t)0x10)
#define RESULT_SENTINEL ((certchain_result *)(uintptr_t)0x20)
#define OPTIONS_SENTINEL ((certchain_options *)(uintptr_t)0x30)
#define BUILDER_SENTINEL ((certchain_store_builder *)(uintptr_t)0x40)

static void test_version_and_names(void) {
    char want[64];
    snprintf(want, sizeof want, "%d.%d.%d", CERTCHAIN_VERSION_MAJOR, CERTCHAIN_VERSION_MINOR,
             CERTCHAIN_VERSION_PATCH);
    CHECK_STR(certchain_version(), want);
    CHECK(CERTCHAIN_VERSION_NUMBER ==
          CERTCHAIN_VERSION_MAJOR * 10000 + CERTCHAIN_VERSION_MINOR * 100 + CERTCHAIN_VERSION_PATCH);
    CHECK(sizeof(certchain_status) == 4);

    CHECK(CERTCHAIN_OK == 0);
    CHECK(CERTCHAIN_MALFORMED == 100 && CERTCHAIN_INVALID_ARGUMENT == 101 && CERTCHAIN_IO == 102);
    CHECK(CERTCHAIN_EXPIRED == 300 && CERTCHAIN_HOSTNAME_MISMATCH == 600);
    CHECK_STR(certchain_error_kind_name(CERTCHAIN_OK), "ok");
    CHECK_STR(certchain_error_kind_name(CERTCHAIN_MALFORMED), "malformed");
    CHECK_STR(certchain_error_kind_name(CERTCHAIN_EXPIRED), "expired");
    CHECK_STR(certchain_error_kind_name(CERTCHAIN_HOSTNAME_MISMATCH), "hostname_mismatch");
    CHECK_STR(certchain_error_kind_name(CERTCHAIN_REVOKED), "revoked");
    CHECK(certchain_error_kind_name(1) == NULL);
    CHECK(certchain_error_kind_name(103) == NULL);
    CHECK(certchain_error_kind_name(UINT32_MAX) == NULL);

    CHECK_STR(certchain_last_error(), ""); /* nothing failed yet on this thread */
}

static void test_stores(void) {
    certchain_store *store = STORE_SENTINEL;
    size_t len = 0;

    /* NULL arguments */
    CHECK(certchain_store_from_pem(NULL, 0, &store) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(store == STORE_SENTINEL);
    CHECK_STR(certchain_last_error(), "certchain_store_from_pem: invalid_argument: data is NULL");
    CHECK(certchain_store_from_pem((const uint8_t *)"x", 1, NULL) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_store_from_file(NULL, &store) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_store_from_dir(NULL, &store) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_store_from_file(path_of("letsencrypt-2021/dst-root-ca-x3.pem"), NULL) ==
          CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_store_system(NULL) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_store_mozilla(NULL) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(store == STORE_SENTINEL);

    /* empty, garbage, truncated DER, truncated PEM, no certificate */
    static const uint8_t empty[1] = {0};
    CHECK(certchain_store_from_pem(empty, 0, &store) == CERTCHAIN_MALFORMED);
    CHECK_HAS(certchain_last_error(), "no certificate found");
    static const uint8_t garbage[] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02};
    CHECK(certchain_store_from_pem(garbage, sizeof garbage, &store) == CERTCHAIN_MALFORMED);
    uint8_t *der = slurp("bad-pem/truncated.der", &len);
    CHECK(certchain_store_from_pem(der, len, &store) == CERTCHAIN_MALFORMED);
    CHECK_HAS(certchain_last_error(), "DER certificate 1");
    free(der);
    uint8_t *pem = slurp("bad-pem/truncated.pem", &len);
    CHECK(certchain_store_from_pem(pem, len, &store) == CERTCHAIN_MALFORMED);
    CHECK_HAS(certchain_last_error(), "line 1");
    free(pem);
    CHECK(certchain_store_from_file(path_of("bad-pem/empty.pem"), &store) == CERTCHAIN_MALFORMED);
    CHECK(store == STORE_SENTINEL);

    /* files and directories that are not there, a path that is not UTF-8 */
    CHECK(certchain_store_from_file(path_of("no-such-file.pem"), &store) == CERTCHAIN_IO);
    CHECK_HAS(certchain_last_error(), "certchain_store_from_file: io: ");
    CHECK(certchain_store_from_dir(path_of("no-such-dir"), &store) == CERTCHAIN_IO);
    CHECK(certchain_store_from_file("/tmp/\xff\xfe.pem", &store) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK_HAS(certchain_last_error(), "UTF-8");
    /* a directory with no certificate file */
    CHECK(certchain_store_from_dir(path_of("keys"), &store) == CERTCHAIN_MALFORMED);
    CHECK(store == STORE_SENTINEL);

    /* good stores */
    uint8_t *root = slurp("letsencrypt-2021/dst-root-ca-x3.pem", &len);
    CHECK(certchain_store_from_pem(root, len, &store) == CERTCHAIN_OK);
    free(root); /* the store keeps no pointer into the input */
    CHECK(store != NULL && store != STORE_SENTINEL);
    CHECK(certchain_store_len(store) == 1);
    certchain_store_free(store);

    store = NULL;
    CHECK(certchain_store_from_file(path_of("letsencrypt-2021/dst-root-ca-x3.pem"), &store) ==
          CERTCHAIN_OK);
    CHECK(certchain_store_len(store) == 1);
    certchain_store_free(store);

    /* the directory's *.pem files hold three distinct certificates */
    store = NULL;
    CHECK(certchain_store_from_dir(path_of("letsencrypt-2021"), &store) == CERTCHAIN_OK);
    CHECK(certchain_store_len(store) == 3);
    certchain_store_free(store);

    store = NULL;
    CHECK(certchain_store_mozilla(&store) == CERTCHAIN_OK);
    CHECK(certchain_store_len(store) > 100);
    certchain_store_free(store);

    /* the machine may or may not have a system store */
    store = STORE_SENTINEL;
    certchain_status s = certchain_store_system(&store);
    CHECK(s == CERTCHAIN_OK || s == CERTCHAIN_IO || s == CERTCHAIN_MALFORMED);
    if (s == CERTCHAIN_OK) {
        CHECK(store != STORE_SENTINEL && certchain_store_len(store) > 0);
        certchain_store_free(store);
    } else {
        CHECK(store == STORE_SENTINEL);
    }

    CHECK(certchain_store_len(NULL) == 0);
    certchain_store_free(NULL);
}

static certchain_store *le_store(void) {
    certchain_store *store = NULL;
    CHECK(certchain_store_from_file(path_of("letsencrypt-2021/dst-root-ca-x3.pem"), &store) ==
          CERTCHAIN_OK);
    return store;
}

/* A verification whose call succeeds; returns the result. */
static certchain_result *verify(const certchain_store *store, const uint8_t *chain, size_t len,
                                const char *host, int64_t t) {
    certchain_result *r = RESULT_SENTINEL;
    CHECK(certchain_verify(store, chain, len, host, t, &r) == CERTCHAIN_OK);
    CHECK(r != NULL && r != RESULT_SENTINEL);
    return r;
}

static void check_unparsable(const certchain_store *store, const uint8_t *chain, size_t len,
                             const char *needle) {
    certchain_result *r = verify(store, chain, len, NULL, 1615689507);
    CHECK(certchain_result_status(r) == CERTCHAIN_MALFORMED);
    CHECK_STR(certchain_result_error_kind(r), "malformed");
    CHECK_HAS(certchain_result_message(r), "malformed: chain: ");
    CHECK_HAS(certchain_result_message(r), needle);
    CHECK(certchain_result_depth(r) == -1);
    CHECK(certchain_result_chain_len(r) == 0);
    CHECK(certchain_result_subject(r, 0) == NULL);
    certchain_result_free(r);
}

static void test_verify(void) {
    certchain_store *store = le_store();
    size_t len = 0;
    uint8_t *chain = slurp("letsencrypt-2021/cert.pem", &len);
    certchain_result *r = RESULT_SENTINEL;

    /* bad arguments: nothing written */
    CHECK(certchain_verify(NULL, chain, len, NULL, 1615689507, &r) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK_STR(certchain_last_error(), "certchain_verify: invalid_argument: store is NULL");
    CHECK(certchain_verify(store, NULL, 0, NULL, 1615689507, &r) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_verify(store, chain, len, NULL, 1615689507, NULL) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_verify(store, chain, len, NULL, -1, &r) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK_HAS(certchain_last_error(), "negative");
    CHECK(certchain_verify(store, chain, len, "", 1615689507, &r) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_verify(store, chain, len, "not a host", 1615689507, &r) ==
          CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_verify(store, chain, len, "\xc3\x28.example", 1615689507, &r) ==
          CERTCHAIN_INVALID_ARGUMENT);
    CHECK_HAS(certchain_last_error(), "UTF-8");
    CHECK(r == RESULT_SENTINEL);

    /* chains that do not parse: the call succeeds, the verdict is CERTCHAIN_MALFORMED */
    static const uint8_t nothing[1] = {0};
    check_unparsable(store, nothing, 0, "no certificate found");
    static const uint8_t garbage[] = "\x01\x02garbage\xff";
    check_unparsable(store, garbage, sizeof garbage - 1, "chain: ");
    static const uint8_t text[] = "hello\n";
    check_unparsable(store, text, sizeof text - 1, "no certificate found");
    uint8_t *bad = slurp("bad-pem/truncated.der", &len);
    check_unparsable(store, bad, len, "DER certificate 1 is truncated");
    free(bad);
    bad = slurp("bad-pem/truncated.pem", &len);
    check_unparsable(store, bad, len, "chain: line 1: ");
    free(bad);
    bad = slurp("bad-pem/bad-base64.pem", &len);
    check_unparsable(store, bad, len, "chain: line 5: ");
    free(bad);

    /* the 2021 chain, verified */
    len = 0;
    free(chain);
    chain = slurp("letsencrypt-2021/cert.pem", &len);
    r = verify(store, chain, len, "justcc.mengkang.net", 1615689507);
    CHECK(certchain_result_status(r) == 0);
    CHECK_STR(certchain_result_error_kind(r), "ok");
    CHECK_STR(certchain_result_message(r), "");
    CHECK(certchain_result_depth(r) == -1);
    CHECK(certchain_result_chain_len(r) == 3);
    CHECK_STR(certchain_result_subject(r, 0), "CN=justcc.mengkang.net");
    CHECK_STR(certchain_result_issuer(r, 0), "CN=R3,O=Let's Encrypt,C=US");
    CHECK_STR(certchain_result_subject(r, 1), "CN=R3,O=Let's Encrypt,C=US");
    CHECK_STR(certchain_result_subject(r, 2), "CN=DST Root CA X3,O=Digital Signature Trust Co.");
    CHECK_STR(certchain_result_issuer(r, 2), "CN=DST Root CA X3,O=Digital Signature Trust Co.");
    CHECK(certchain_result_subject(r, 3) == NULL);
    CHECK(certchain_result_issuer(r, 3) == NULL);
    CHECK(!certchain_result_is_trust_anchor(r, 0));
    CHECK(!certchain_result_is_trust_anchor(r, 1));
    CHECK(certchain_result_is_trust_anchor(r, 2));
    CHECK(!certchain_result_is_trust_anchor(r, 3));
    CHECK(certchain_result_not_before(r, 0) == 1615166814); /* 2021-03-08T01:26:54Z */
    CHECK(certchain_result_not_after(r, 0) == 1622942814);  /* 2021-06-06T01:26:54Z */
    CHECK(certchain_result_not_after(r, 1) == 1632943300);  /* 2021-09-29T19:21:40Z */
    CHECK(certchain_result_not_before(r, 3) == -1);
    CHECK(certchain_result_not_after(r, (size_t)-1) == -1);

    const uint8_t *der = NULL;
    size_t der_len = 0;
    CHECK(certchain_result_der(r, 0, &der, &der_len) == CERTCHAIN_OK);
    CHECK(der != NULL && der_len > 500 && der[0] == 0x30);
    const uint8_t *der2 = NULL;
    size_t der2_len = 7;
    CHECK(certchain_result_der(r, 3, &der2, &der2_len) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK_HAS(certchain_last_error(), "out of range");
    CHECK(der2 == NULL && der2_len == 7);
    CHECK(certchain_result_der(r, 0, NULL, &der2_len) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_result_der(r, 0, &der2, NULL) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(der2 == NULL && der2_len == 7);

    uint8_t sha[CERTCHAIN_SHA256_LEN], sha_anchor[CERTCHAIN_SHA256_LEN], zero[CERTCHAIN_SHA256_LEN];
    memset(sha, 0, sizeof sha);
    memset(zero, 0, sizeof zero);
    CHECK(certchain_result_sha256(r, 0, sha) == CERTCHAIN_OK);
    CHECK(memcmp(sha, zero, sizeof sha) != 0);
    CHECK(certchain_result_sha256(r, 2, sha_anchor) == CERTCHAIN_OK);
    CHECK(memcmp(sha, sha_anchor, sizeof sha) != 0);
    uint8_t untouched[CERTCHAIN_SHA256_LEN];
    memset(untouched, 0xAB, sizeof untouched);
    CHECK(certchain_result_sha256(r, 3, untouched) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(untouched[0] == 0xAB && untouched[31] == 0xAB);
    CHECK(certchain_result_sha256(r, 0, NULL) == CERTCHAIN_INVALID_ARGUMENT);

    /* the result outlives the store and the chain bytes */
    certchain_store_free(store);
    free(chain);
    CHECK_STR(certchain_result_subject(r, 0), "CN=justcc.mengkang.net");
    CHECK(certchain_result_der(r, 2, &der, &der_len) == CERTCHAIN_OK && der[0] == 0x30);
    certchain_result_free(r);

    /* verdicts */
    store = le_store();
    chain = slurp("letsencrypt-2021/cert.pem", &len);
    r = verify(store, chain, len, "justcc.mengkang.net", 1764547200); /* 2025-12-01 */
    CHECK(certchain_result_status(r) == CERTCHAIN_EXPIRED);
    CHECK_STR(certchain_result_error_kind(r), "expired");
    CHECK_HAS(certchain_result_message(r), "expired at depth ");
    CHECK(certchain_result_depth(r) >= 0 && certchain_result_depth(r) <= 2);
    CHECK(certchain_result_chain_len(r) == 3);
    certchain_result_free(r);

    r = verify(store, chain, len, "wrong.example.com", 1615689507);
    CHECK(certchain_result_status(r) == CERTCHAIN_HOSTNAME_MISMATCH);
    CHECK_STR(certchain_result_error_kind(r), "hostname_mismatch");
    CHECK(certchain_result_depth(r) == 0);
    CHECK_HAS(certchain_result_message(r), "wrong.example.com");
    certchain_result_free(r);

    r = verify(store, chain, len, NULL, 1615689507); /* no host: no host check */
    CHECK(certchain_result_status(r) == CERTCHAIN_OK);
    certchain_result_free(r);

    uint8_t *leaf = slurp("letsencrypt-2021/leaf.pem", &len);
    r = verify(store, leaf, len, NULL, 1615689507); /* without its intermediate */
    CHECK(certchain_result_status(r) == CERTCHAIN_UNKNOWN_ISSUER);
    CHECK_STR(certchain_result_error_kind(r), "unknown_issuer");
    CHECK(certchain_result_chain_len(r) >= 1);
    CHECK(!certchain_result_is_trust_anchor(r, certchain_result_chain_len(r) - 1));
    certchain_result_free(r);
    free(leaf);

    free(chain);
    certchain_store_free(store);
}

static void test_options(void) {
    certchain_options *o = OPTIONS_SENTINEL;
    CHECK(certchain_options_new(-1, &o) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(o == OPTIONS_SENTINEL);
    CHECK(certchain_options_new(0, NULL) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_options_new(1748736000, &o) == CERTCHAIN_OK); /* 2025-06-01 */
    CHECK(o != NULL && o != OPTIONS_SENTINEL);

    CHECK(certchain_options_set_host(NULL, "rsa.example.test") == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_options_set_host(o, NULL) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_options_set_host(o, "") == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_options_set_host(o, "bad host") == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_options_set_host(o, "\xff") == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_options_set_purpose(NULL, CERTCHAIN_PURPOSE_ANY) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_options_set_purpose(o, 3) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_options_set_purpose(o, UINT32_MAX) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_options_set_max_depth(NULL, 1) == CERTCHAIN_INVALID_ARGUMENT);

    certchain_store *store = NULL;
    CHECK(certchain_store_from_file(path_of("rsa/root.pem"), &store) == CERTCHAIN_OK);
    size_t len = 0;
    uint8_t *chain = slurp("rsa/chain.pem", &len);
    certchain_result *r = RESULT_SENTINEL;
    CHECK(certchain_verify_with_options(store, chain, len, NULL, &r) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_verify_with_options(NULL, chain, len, o, &r) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_verify_with_options(store, NULL, len, o, &r) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_verify_with_options(store, chain, len, o, NULL) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(r == RESULT_SENTINEL);

    struct {
        const char *host;
        uint32_t purpose;
        uint32_t max_depth;
        uint32_t want;
    } cases[] = {
        {"rsa.example.test", CERTCHAIN_PURPOSE_SERVER, 10, CERTCHAIN_OK},
        {"FOO.rsa.example.test.", CERTCHAIN_PURPOSE_SERVER, 10, CERTCHAIN_OK},
        {"a.b.rsa.example.test", CERTCHAIN_PURPOSE_SERVER, 10, CERTCHAIN_HOSTNAME_MISMATCH},
        {"rsa.example.test", CERTCHAIN_PURPOSE_CLIENT, 10, CERTCHAIN_EXTENDED_KEY_USAGE},
        {"rsa.example.test", CERTCHAIN_PURPOSE_ANY, 10, CERTCHAIN_OK},
        {"rsa.example.test", CERTCHAIN_PURPOSE_ANY, 0, CERTCHAIN_CHAIN_TOO_LONG},
        {"rsa.example.test", CERTCHAIN_PURPOSE_ANY, 1, CERTCHAIN_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK(certchain_options_set_host(o, cases[i].host) == CERTCHAIN_OK);
        CHECK(certchain_options_set_purpose(o, cases[i].purpose) == CERTCHAIN_OK);
        CHECK(certchain_options_set_max_depth(o, cases[i].max_depth) == CERTCHAIN_OK);
        r = NULL;
        CHECK(certchain_verify_with_options(store, chain, len, o, &r) == CERTCHAIN_OK);
        if (certchain_result_status(r) != cases[i].want) {
            fprintf(stderr, "case %zu: %s\n", i, certchain_result_message(r));
        }
        CHECK(certchain_result_status(r) == cases[i].want);
        certchain_result_free(r);
    }

    /* a chain that does not parse is a verdict here too */
    static const uint8_t garbage[] = {0x30, 0x82, 0x10, 0x00, 0x01};
    r = NULL;
    CHECK(certchain_verify_with_options(store, garbage, sizeof garbage, o, &r) == CERTCHAIN_OK);
    CHECK(certchain_result_status(r) == CERTCHAIN_MALFORMED);
    certchain_result_free(r);

    free(chain);
    certchain_store_free(store);
    certchain_options_free(o);
    certchain_options_free(NULL);
}

static certchain_store_builder *new_builder(void) {
    certchain_store_builder *b = BUILDER_SENTINEL;
    CHECK(certchain_store_builder_new(&b) == CERTCHAIN_OK);
    CHECK(b != NULL && b != BUILDER_SENTINEL);
    CHECK(certchain_store_builder_len(b) == 0);
    return b;
}

static void test_builder(void) {
    CHECK(certchain_store_builder_new(NULL) == CERTCHAIN_INVALID_ARGUMENT);
    certchain_store_builder *b = new_builder();
    size_t len = 0;

    /* NULL arguments */
    size_t root_len = 0;
    uint8_t *rsa_root = slurp("rsa/root.pem", &root_len);
    CHECK(certchain_store_builder_add_pem(NULL, rsa_root, root_len) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK_STR(certchain_last_error(),
              "certchain_store_builder_add_pem: invalid_argument: builder is NULL");
    CHECK(certchain_store_builder_add_pem(b, NULL, 0) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_store_builder_add_file(NULL, path_of("rsa/root.pem")) ==
          CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_store_builder_add_file(b, NULL) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_store_builder_add_dir(NULL, path_of("letsencrypt-2021")) ==
          CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_store_builder_add_dir(b, NULL) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_store_builder_add_system(NULL) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_store_builder_add_mozilla(NULL) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_store_builder_add_store(NULL, NULL) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_store_builder_add_store(b, NULL) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_store_builder_len(NULL) == 0);

    /* bad input: empty, garbage, truncated DER, truncated PEM, missing files; nothing added */
    static const uint8_t empty[1] = {0};
    CHECK(certchain_store_builder_add_pem(b, empty, 0) == CERTCHAIN_MALFORMED);
    CHECK_HAS(certchain_last_error(), "no certificate found");
    static const uint8_t garbage[] = {0x30, 0x03, 0x02, 0x01};
    CHECK(certchain_store_builder_add_pem(b, garbage, sizeof garbage) == CERTCHAIN_MALFORMED);
    uint8_t *bad = slurp("bad-pem/truncated.der", &len);
    CHECK(certchain_store_builder_add_pem(b, bad, len) == CERTCHAIN_MALFORMED);
    free(bad);
    CHECK(certchain_store_builder_add_file(b, path_of("bad-pem/truncated.pem")) ==
          CERTCHAIN_MALFORMED);
    CHECK_HAS(certchain_last_error(), "line 1");
    CHECK(certchain_store_builder_add_file(b, path_of("no-such.pem")) == CERTCHAIN_IO);
    CHECK(certchain_store_builder_add_file(b, "/tmp/\xff.pem") == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_store_builder_add_dir(b, path_of("no-such-dir")) == CERTCHAIN_IO);
    CHECK(certchain_store_builder_add_dir(b, path_of("keys")) == CERTCHAIN_MALFORMED);
    CHECK(certchain_store_builder_len(b) == 0);

    /* good sources add up, duplicates once */
    CHECK(certchain_store_builder_add_pem(b, rsa_root, root_len) == CERTCHAIN_OK);
    CHECK(certchain_store_builder_add_pem(b, rsa_root, root_len) == CERTCHAIN_OK);
    free(rsa_root); /* the builder keeps no pointer into the input */
    CHECK(certchain_store_builder_len(b) == 1);
    CHECK(certchain_store_builder_add_file(b, path_of("ecdsa/root.pem")) == CERTCHAIN_OK);
    CHECK(certchain_store_builder_len(b) == 2);
    CHECK(certchain_store_builder_add_dir(b, path_of("letsencrypt-2021")) == CERTCHAIN_OK);
    CHECK(certchain_store_builder_len(b) == 5);
    certchain_store *other = NULL;
    CHECK(certchain_store_from_file(path_of("cross-signed/roots.pem"), &other) == CERTCHAIN_OK);
    CHECK(certchain_store_builder_add_store(b, other) == CERTCHAIN_OK);
    CHECK(certchain_store_len(other) == 2); /* unchanged, still the caller's */
    certchain_store_free(other);
    CHECK(certchain_store_builder_len(b) == 7);
    CHECK(certchain_store_builder_add_mozilla(b) == CERTCHAIN_OK);
    size_t n = certchain_store_builder_len(b);
    CHECK(n > 100);
    certchain_status s = certchain_store_builder_add_system(b);
    CHECK(s == CERTCHAIN_OK || s == CERTCHAIN_IO || s == CERTCHAIN_MALFORMED);
    CHECK(s == CERTCHAIN_OK ? certchain_store_builder_len(b) >= n
                            : certchain_store_builder_len(b) == n);
    n = certchain_store_builder_len(b);

    /* build: takes the builder */
    certchain_store *store = STORE_SENTINEL;
    CHECK(certchain_store_builder_build(NULL, &store) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(store == STORE_SENTINEL);
    CHECK(certchain_store_builder_build(b, &store) == CERTCHAIN_OK);
    CHECK(store != STORE_SENTINEL && certchain_store_len(store) == n);

    /* the built store verifies chains of every source */
    uint8_t *chain = slurp("rsa/chain.pem", &len);
    certchain_result *r = NULL;
    CHECK(certchain_verify(store, chain, len, "rsa.example.test", 1748736000, &r) == CERTCHAIN_OK);
    CHECK(certchain_result_status(r) == CERTCHAIN_OK);
    certchain_result_free(r);
    free(chain);
    chain = slurp("ecdsa/chain.pem", &len);
    r = NULL;
    CHECK(certchain_verify(store, chain, len, "192.0.2.10", 1748736000, &r) == CERTCHAIN_OK);
    CHECK(certchain_result_status(r) == CERTCHAIN_OK);
    certchain_result_free(r);
    free(chain);
    chain = slurp("letsencrypt-2021/cert.pem", &len);
    r = NULL;
    CHECK(certchain_verify(store, chain, len, "justcc.mengkang.net", 1615689507, &r) ==
          CERTCHAIN_OK);
    CHECK(certchain_result_status(r) == CERTCHAIN_OK);
    certchain_result_free(r);
    free(chain);
    certchain_store_free(store);

    /* an empty builder does not build, and is released all the same (so is one with NULL out) */
    b = new_builder();
    store = STORE_SENTINEL;
    CHECK(certchain_store_builder_build(b, &store) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK_HAS(certchain_last_error(), "no certificate");
    CHECK(store == STORE_SENTINEL);
    b = new_builder();
    CHECK(certchain_store_builder_add_file(b, path_of("rsa/root.pem")) == CERTCHAIN_OK);
    CHECK(certchain_store_builder_build(b, NULL) == CERTCHAIN_INVALID_ARGUMENT);

    /* a builder never built is freed */
    b = new_builder();
    CHECK(certchain_store_builder_add_file(b, path_of("rsa/root.pem")) == CERTCHAIN_OK);
    certchain_store_builder_free(b);
    certchain_store_builder_free(NULL);
}

static uint32_t verdict_with(const certchain_store *store, const uint8_t *chain, size_t len,
                             const certchain_options *o) {
    certchain_result *r = NULL;
    CHECK(certchain_verify_with_options(store, chain, len, o, &r) == CERTCHAIN_OK);
    uint32_t v = certchain_result_status(r);
    certchain_result_free(r);
    return v;
}

static void test_more_options(void) {
    certchain_store *store = NULL;
    CHECK(certchain_store_from_file(path_of("rsa/root.pem"), &store) == CERTCHAIN_OK);
    size_t len = 0;
    uint8_t *chain = slurp("rsa/chain.pem", &len);
    certchain_options *o = NULL;
    CHECK(certchain_options_new(1748736000, &o) == CERTCHAIN_OK);
    CHECK(verdict_with(store, chain, len, o) == CERTCHAIN_OK);

    /* time */
    CHECK(certchain_options_set_time(NULL, 0) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_options_set_time(o, -1) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_options_set_time(o, INT64_MIN) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(verdict_with(store, chain, len, o) == CERTCHAIN_OK); /* unchanged */
    CHECK(certchain_options_set_time(o, 1800000000) == CERTCHAIN_OK); /* 2027: leaf expired */
    CHECK(verdict_with(store, chain, len, o) == CERTCHAIN_EXPIRED);
    CHECK(certchain_options_set_time(o, 1700000000) == CERTCHAIN_OK); /* 2023: not yet valid */
    CHECK(verdict_with(store, chain, len, o) == CERTCHAIN_NOT_YET_VALID);
    CHECK(certchain_options_set_time(o, INT64_MAX) == CERTCHAIN_OK);
    CHECK(verdict_with(store, chain, len, o) == CERTCHAIN_EXPIRED);
    CHECK(certchain_options_set_time(o, 1748736000) == CERTCHAIN_OK);

    /* required EKUs: the rsa leaf allows serverAuth only */
    CHECK(certchain_options_add_eku(NULL, "server-auth") == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_options_add_eku(o, NULL) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_options_add_eku(o, "") == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_options_add_eku(o, "server_auth") == CERTCHAIN_INVALID_ARGUMENT);
    CHECK_HAS(certchain_last_error(), "nor a dotted OID");
    CHECK(certchain_options_add_eku(o, "1.3.6.") == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_options_add_eku(o, "\xfe\xff") == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(verdict_with(store, chain, len, o) == CERTCHAIN_OK);
    CHECK(certchain_options_add_eku(o, "client-auth") == CERTCHAIN_OK);
    CHECK(verdict_with(store, chain, len, o) == CERTCHAIN_EXTENDED_KEY_USAGE);
    CHECK(certchain_options_add_eku(o, "1.3.6.1.5.5.7.3.1") == CERTCHAIN_OK); /* serverAuth */
    CHECK(verdict_with(store, chain, len, o) == CERTCHAIN_OK); /* any one suffices */
    certchain_options *o2 = NULL;
    CHECK(certchain_options_new(1748736000, &o2) == CERTCHAIN_OK);
    CHECK(certchain_options_add_eku(o2, "timeStamping") == CERTCHAIN_OK);
    CHECK(verdict_with(store, chain, len, o2) == CERTCHAIN_EXTENDED_KEY_USAGE);
    CHECK(certchain_options_add_eku(o2, "any") == CERTCHAIN_OK);
    CHECK(verdict_with(store, chain, len, o2) == CERTCHAIN_OK);
    certchain_options_free(o2);

    /* profile */
    CHECK(certchain_options_set_profile(NULL, CERTCHAIN_PROFILE_WEBPKI) ==
          CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_options_set_profile(o, 2) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_options_set_profile(o, UINT32_MAX) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_options_set_profile(o, CERTCHAIN_PROFILE_RFC5280) == CERTCHAIN_OK);
    CHECK(verdict_with(store, chain, len, o) == CERTCHAIN_OK);
    CHECK(certchain_options_set_profile(o, CERTCHAIN_PROFILE_WEBPKI) == CERTCHAIN_OK);
    CHECK(verdict_with(store, chain, len, o) == CERTCHAIN_OK);

    /* CRLs: parsed when added (a bad one is refused whole), then checked by verification */
    size_t crl_len = 0, crl_der_len = 0;
    uint8_t *crl = slurp_path(path_in(data_dir, "crl.pem"), &crl_len);
    uint8_t *crl_der = slurp_path(path_in(data_dir, "crl.der"), &crl_der_len);
    CHECK(certchain_options_add_crl(NULL, crl, crl_len) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(certchain_options_add_crl(o, NULL, 0) == CERTCHAIN_INVALID_ARGUMENT);
    static const uint8_t nothing[1] = {0};
    CHECK(certchain_options_add_crl(o, nothing, 0) == CERTCHAIN_MALFORMED);
    static const uint8_t junk[] = "not a crl";
    CHECK(certchain_options_add_crl(o, junk, sizeof junk - 1) == CERTCHAIN_MALFORMED);
    CHECK(certchain_options_add_crl(o, crl_der, crl_der_len - 3) == CERTCHAIN_MALFORMED);
    CHECK_HAS(certchain_last_error(), "crl: CRL: ASN.1 DER message is incomplete");
    CHECK(certchain_options_add_crl(o, chain, len) == CERTCHAIN_MALFORMED); /* certificates */
    CHECK_HAS(certchain_last_error(), "no X509 CRL block");
    CHECK(verdict_with(store, chain, len, o) == CERTCHAIN_OK); /* nothing was added */
    CHECK(certchain_options_add_crl(o, crl, crl_len) == CERTCHAIN_OK);
    CHECK(certchain_options_add_crl(o, crl_der, crl_der_len) == CERTCHAIN_OK);
    free(crl);
    free(crl_der);
    CHECK(verdict_with(store, chain, len, o) == CERTCHAIN_OK); /* CRLs of another issuer */
    certchain_options_free(o);
    free(chain);
    certchain_store_free(store);

    /* revocation (fixtures/crl; the verdicts of the golden crl-*.test cases) */
    CHECK(certchain_store_from_file(path_of("crl/root.pem"), &store) == CERTCHAIN_OK);
    size_t good_len = 0, revoked_len = 0, int_crl_len = 0, root_crl_len = 0, stale_len = 0;
    uint8_t *good = slurp("crl/good-chain.pem", &good_len);
    uint8_t *revoked = slurp("crl/revoked-chain.pem", &revoked_len);
    uint8_t *int_crl = slurp("crl/int.crl.pem", &int_crl_len);
    uint8_t *root_crl = slurp("crl/root.crl.pem", &root_crl_len);
    uint8_t *stale = slurp("crl/stale.crl.pem", &stale_len);
    CHECK(certchain_options_new(1748736000, &o) == CERTCHAIN_OK);
    CHECK(verdict_with(store, revoked, revoked_len, o) == CERTCHAIN_OK); /* no CRLs, no check */
    CHECK(certchain_options_add_crl(o, int_crl, int_crl_len) == CERTCHAIN_OK);
    CHECK(verdict_with(store, good, good_len, o) == CERTCHAIN_OK);
    certchain_result *r = NULL;
    CHECK(certchain_verify_with_options(store, revoked, revoked_len, o, &r) == CERTCHAIN_OK);
    CHECK(certchain_result_status(r) == CERTCHAIN_REVOKED);
    CHECK(strcmp(certchain_result_error_kind(r), "revoked") == 0);
    CHECK(certchain_result_depth(r) == 0);
    CHECK_HAS(certchain_result_message(r), "was revoked at");
    certchain_result_free(r);
    CHECK(certchain_options_add_crl(o, root_crl, root_crl_len) == CERTCHAIN_OK);
    CHECK(verdict_with(store, good, good_len, o) == CERTCHAIN_REVOKED); /* the intermediate */
    certchain_options_free(o);
    CHECK(certchain_options_new(1748736000, &o) == CERTCHAIN_OK);
    CHECK(certchain_options_add_crl(o, stale, stale_len) == CERTCHAIN_OK);
    CHECK(verdict_with(store, good, good_len, o) == CERTCHAIN_REVOCATION_UNKNOWN);
    free(good);
    free(revoked);
    free(int_crl);
    free(root_crl);
    free(stale);
    certchain_options_free(o);
    certchain_store_free(store);
}


static void test_null_result(void) {
    const certchain_result *r = NULL;
    CHECK(certchain_result_status(r) == CERTCHAIN_INVALID_ARGUMENT); /* never "verified" */
    CHECK(certchain_result_error_kind(r) == NULL);
    CHECK(certchain_result_depth(r) == -1);
    CHECK(certchain_result_message(r) == NULL);
    CHECK(certchain_result_chain_len(r) == 0);
    CHECK(certchain_result_subject(r, 0) == NULL);
    CHECK(certchain_result_issuer(r, 0) == NULL);
    CHECK(certchain_result_not_before(r, 0) == -1);
    CHECK(certchain_result_not_after(r, 0) == -1);
    CHECK(!certchain_result_is_trust_anchor(r, 0));
    const uint8_t *der = NULL;
    size_t len = 5;
    CHECK(certchain_result_der(r, 0, &der, &len) == CERTCHAIN_INVALID_ARGUMENT);
    CHECK(der == NULL && len == 5);
    uint8_t sha[CERTCHAIN_SHA256_LEN];
    CHECK(certchain_result_sha256(r, 0, sha) == CERTCHAIN_INVALID_ARGUMENT);
    certchain_result_free(NULL);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: api_test FIXTURES_DIR DATA_DIR\n");
        return 2;
    }
    fixtures = argv[1];
    data_dir = argv[2];
    test_version_and_names();
    test_stores();
    test_verify();
    test_options();
    test_builder();
    test_more_options();
    test_null_result();
    printf("api_test: %d checks passed (certchain %s)\n", checks, certchain_version());
    return 0;
}
