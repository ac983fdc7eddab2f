/*
 * certchain: verify X.509 certificate chains the way a careful TLS client does (C API).
 *
 * GENERATED FILE, DO NOT EDIT: made from src/ffi/ by cbindgen 0.29.4 with
 *   cbindgen --config cbindgen.toml --crate certchain --output include/certchain.h
 *
 * Conventions: every function returning certchain_status returns CERTCHAIN_OK (0) on success
 * and writes its out-parameters (always last) only then; certchain_last_error() says why a call
 * failed. Handles are opaque; each *_free accepts NULL. Strings are NUL-terminated UTF-8. Every
 * function is NULL-safe and catches panics (a status-returning one then returns
 * CERTCHAIN_INVALID_ARGUMENT, with certchain_last_error() saying it was a panic).
 * Installed with `make install PREFIX=...` (libcertchain.a, libcertchain.so, this header and
 * certchain.pc): `cc app.c $(pkg-config --cflags --libs certchain)`. Static linking on Linux
 * (the libraries are what `cargo rustc -q --lib --crate-type staticlib --
 * --print native-static-libs` prints, and certchain.pc's Libs.private):
 *   cc ... libcertchain.a -lc -lm -lrt -lpthread -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
 * See examples/verify.c for a complete program.
 */

#ifndef CERTCHAIN_H
#define CERTCHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * Major version of the certchain library this header belongs to.
 */
#define CERTCHAIN_VERSION_MAJOR 0

/**
 * Minor version of the certchain library this header belongs to.
 */
#define CERTCHAIN_VERSION_MINOR 1

/**
 * Patch version of the certchain library this header belongs to.
 */
#define CERTCHAIN_VERSION_PATCH 0

/**
 * The version as one number, MAJOR * 10000 + MINOR * 100 + PATCH (0.1.0 is 100), usable in `#if`.
 */
#define CERTCHAIN_VERSION_NUMBER (((CERTCHAIN_VERSION_MAJOR * 10000) + (CERTCHAIN_VERSION_MINOR * 100)) + CERTCHAIN_VERSION_PATCH)

/**
 * Purpose for certchain_options_set_purpose: a TLS server certificate (the leaf's
 * extendedKeyUsage, if present, must allow serverAuth). The default.
 */
#define CERTCHAIN_PURPOSE_SERVER 0

/**
 * Purpose for certchain_options_set_purpose: a TLS client certificate (clientAuth).
 */
#define CERTCHAIN_PURPOSE_CLIENT 1

/**
 * Purpose for certchain_options_set_purpose: no extendedKeyUsage requirement.
 */
#define CERTCHAIN_PURPOSE_ANY 2

/**
 * Profile for certchain_options_set_profile: the CA/Browser Forum rules a public TLS client
 * applies (e.g. the leaf must carry an extendedKeyUsage extension). The default.
 */
#define CERTCHAIN_PROFILE_WEBPKI 0

/**
 * Profile for certchain_options_set_profile: plain RFC 5280, for private PKIs (a leaf without
 * extendedKeyUsage is allowed; anyExtendedKeyUsage satisfies a required EKU).
 */
#define CERTCHAIN_PROFILE_RFC5280 1

/**
 * The length of a SHA-256 fingerprint written by certchain_result_sha256.
 */
#define CERTCHAIN_SHA256_LEN 32

/**
 * The status of a call: CERTCHAIN_OK (0) on success, otherwise the code of what went wrong.
 * The same codes are the verdicts in a certchain_result (certchain_result_status). Codes are
 * grouped by hundreds, never renumbered and never reused; new ones may be added, so treat an
 * unknown non-zero value as a failure (certchain_error_kind_name gives NULL for it).
 */
enum certchain_status
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * Success; for a verdict: the chain verified.
     */
    CERTCHAIN_OK = 0,
    /**
     * The input is not a certificate (broken PEM, truncated or invalid DER, bad field, no
     * certificate at all).
     */
    CERTCHAIN_MALFORMED = 100,
    /**
     * An argument is invalid: a NULL pointer, a string that is not UTF-8, a negative time, a host
     * that is not a DNS name or IP address, an out-of-range value.
     */
    CERTCHAIN_INVALID_ARGUMENT = 101,
    /**
     * A file or directory could not be read.
     */
    CERTCHAIN_IO = 102,
    /**
     * No issuer of a certificate was found in the chain or the trust store.
     */
    CERTCHAIN_UNKNOWN_ISSUER = 200,
    /**
     * Path building ran out of its budget of signature checks or steps.
     */
    CERTCHAIN_BUDGET_EXCEEDED = 201,
    /**
     * The path needs more intermediates than allowed (certchain_options_set_max_depth).
     */
    CERTCHAIN_CHAIN_TOO_LONG = 202,
    /**
     * The verification time is after a certificate's notAfter.
     */
    CERTCHAIN_EXPIRED = 300,
    /**
     * The verification time is before a certificate's notBefore.
     */
    CERTCHAIN_NOT_YET_VALID = 301,
    /**
     * A signature does not verify with its issuer's key.
     */
    CERTCHAIN_BAD_SIGNATURE = 400,
    /**
     * A signature algorithm or key type certchain does not support.
     */
    CERTCHAIN_UNSUPPORTED_ALGORITHM = 401,
    /**
     * A key below the policy's strength (e.g. RSA under 2048 bits).
     */
    CERTCHAIN_WEAK_KEY = 402,
    /**
     * A signature made with a weak hash (SHA-1, MD5).
     */
    CERTCHAIN_WEAK_SIGNATURE = 403,
    /**
     * A certificate that issued another one is not a CA (basicConstraints).
     */
    CERTCHAIN_NOT_A_CA = 500,
    /**
     * An issuer's pathLenConstraint is exceeded.
     */
    CERTCHAIN_PATH_LENGTH_EXCEEDED = 501,
    /**
     * The keyUsage extension does not allow this use.
     */
    CERTCHAIN_KEY_USAGE = 502,
    /**
     * The extendedKeyUsage extension does not allow the purpose.
     */
    CERTCHAIN_EXTENDED_KEY_USAGE = 503,
    /**
     * A name is outside an issuer's name constraints.
     */
    CERTCHAIN_NAME_CONSTRAINTS = 504,
    /**
     * A critical extension certchain does not understand.
     */
    CERTCHAIN_UNKNOWN_CRITICAL_EXTENSION = 505,
    /**
     * A certificate breaks a rule of the policy's profile.
     */
    CERTCHAIN_POLICY_VIOLATION = 506,
    /**
     * The leaf does not cover the requested host name or IP address.
     */
    CERTCHAIN_HOSTNAME_MISMATCH = 600,
    /**
     * A certificate is revoked.
     */
    CERTCHAIN_REVOKED = 700,
    /**
     * A supplied CRL for a certificate's issuer cannot be used (stale, badly signed, out of
     * scope), so the revocation status is unknown; verification fails closed.
     */
    CERTCHAIN_REVOCATION_UNKNOWN = 701,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum certchain_status certchain_status;
#else
typedef uint32_t certchain_status;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * The inputs of a verification besides the certificates: time, host, purpose, required EKUs,
 * profile, limits, CRLs (opaque).
 *
 * Ownership: created by certchain_options_new, owned by the caller, released with
 * certchain_options_free. Setters need exclusive access; once set up, the same options may be
 * passed to any number of concurrent certchain_verify_with_options calls, which only read them.
 * Options keep no pointer into the caller's memory: strings and bytes are copied.
 */
typedef struct certchain_options certchain_options;

/**
 * The verdict of one certchain_verify call (opaque): verified or why not, and the chain — the
 * verified path, or the best path found when verification failed — leaf (depth 0) first.
 *
 * Ownership: owned by the caller, released with certchain_result_free. Every string and byte
 * pointer it hands out belongs to it and stays valid until it is freed. A result is never
 * modified after it is made, so several threads may read it at once. It does not refer to the
 * store, which may be freed first.
 */
typedef struct certchain_result certchain_result;

/**
 * A set of trust anchors (opaque).
 *
 * Ownership: a store is reference-counted and read-only once built. The pointer a constructor
 * writes is owned by the caller, who releases it with certchain_store_free exactly once. A store
 * may be used by any number of threads at the same time (certchain_verify only reads it), and
 * certchain_result objects do not refer to it, so it may be freed while results live on.
 */
typedef struct certchain_store certchain_store;

/**
 * A trust store under construction (opaque): certificates are added from PEM/DER bytes, files,
 * directories, the system store, the embedded Mozilla set or an existing store, then
 * certchain_store_builder_build makes an immutable certchain_store of them.
 *
 * Ownership: created by certchain_store_builder_new and owned by the caller until it is passed
 * to certchain_store_builder_build (which always takes it) or certchain_store_builder_free.
 * A builder is not shared: one thread at a time, no concurrent calls on the same builder.
 * Certificates already present are kept once.
 */
typedef struct certchain_store_builder certchain_store_builder;

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

/**
 * The version of the linked library, e.g. "0.1.0" (compare with CERTCHAIN_VERSION_* to detect a
 * header/library mismatch). The string is static: never free it.
 */
const char *certchain_version(void);

/**
 * The message of the most recent call on the calling thread that returned an error status
 * (other than CERTCHAIN_OK), prefixed with the function's name, e.g.
 * "certchain_store_from_file: io: roots.pem: No such file or directory (os error 2)"; "" if no
 * call on this thread has failed yet. Verification verdicts are not call failures: they are in
 * the certchain_result.
 *
 * The string belongs to the library and to the calling thread. It stays valid until the next
 * failing certchain_* call on the same thread; copy it to keep it longer. Never NULL.
 */
const char *certchain_last_error(void);

/**
 * The snake_case name of a status or verdict code: "ok" for 0, e.g. "expired" for 300 (the
 * names the certchain CLI and JSON output use). NULL for a code that is not a known kind.
 * The string is static: never free it.
 */
const char *certchain_error_kind_name(uint32_t code);

/**
 * Build a trust store from the certificates of a PEM bundle (any number of CERTIFICATE blocks,
 * text between them allowed, other blocks ignored) or of concatenated DER certificates.
 *
 * `data` points to `len` bytes, borrowed for the duration of the call only. Input without any
 * certificate (empty, text only, garbage) or with a broken block is CERTCHAIN_MALFORMED; NULL
 * `data` or `out` is CERTCHAIN_INVALID_ARGUMENT. On CERTCHAIN_OK, `*out` receives a new store
 * that the caller frees with certchain_store_free; on failure `*out` is left untouched and
 * certchain_last_error() says why.
 */
certchain_status certchain_store_from_pem(const uint8_t *data, size_t len, certchain_store **out);

/**
 * Build a trust store from a PEM or DER file. `path` is a NUL-terminated UTF-8 path, borrowed
 * for the call. An unreadable file is CERTCHAIN_IO; a file without certificates or with a broken
 * block is CERTCHAIN_MALFORMED (the message names the file and line). On CERTCHAIN_OK, `*out`
 * receives a new store that the caller frees with certchain_store_free; on failure `*out` is
 * left untouched and certchain_last_error() says why.
 */
certchain_status certchain_store_from_file(const char *path, certchain_store **out);

/**
 * Build a trust store from an OpenSSL-style directory: the hash-named files (5ed36f99.0) when
 * there are any, otherwise every *.pem, *.crt and *.cer file. Files that cannot be read or
 * parsed are skipped; a directory that cannot be read is CERTCHAIN_IO, one without any usable
 * certificate CERTCHAIN_MALFORMED. `path` is borrowed for the call. On CERTCHAIN_OK, `*out`
 * receives a new store that the caller frees with certchain_store_free; on failure `*out` is
 * left untouched and certchain_last_error() says why.
 */
certchain_status certchain_store_from_dir(const char *path, certchain_store **out);

/**
 * Load the system trust store where OpenSSL looks for it: $SSL_CERT_FILE, $SSL_CERT_DIR, then
 * the usual bundle files and directories of Debian/Ubuntu, Fedora/RHEL, openSUSE and Alpine.
 * None found is CERTCHAIN_IO. On CERTCHAIN_OK, `*out` receives a new store that the caller
 * frees with certchain_store_free; on failure `*out` is left untouched.
 */
certchain_status certchain_store_system(certchain_store **out);

/**
 * The Mozilla root set built into the library (a snapshot taken when the library was built).
 * On CERTCHAIN_OK, `*out` receives a new store that the caller frees with
 * certchain_store_free; NULL `out` is CERTCHAIN_INVALID_ARGUMENT.
 */
certchain_status certchain_store_mozilla(certchain_store **out);

/**
 * The number of trust anchors in `store` (duplicates are stored once); 0 for NULL.
 *
 * Ownership: `store` is borrowed for the call only; the caller keeps it.
 */
size_t certchain_store_len(const certchain_store *store);

/**
 * Release the caller's reference to `store`, obtained from a certchain_store_* constructor.
 * Call it once per store; NULL is a no-op. The store must not be used afterwards by the
 * caller; a verification running in another thread at that moment keeps its own reference.
 */
void certchain_store_free(const certchain_store *store);

/**
 * Create an empty store builder. NULL `out` is CERTCHAIN_INVALID_ARGUMENT. On CERTCHAIN_OK,
 * `*out` receives a new builder, owned by the caller until it is passed to
 * certchain_store_builder_build or certchain_store_builder_free.
 */
certchain_status certchain_store_builder_new(certchain_store_builder **out);

/**
 * Add the certificates of a PEM bundle (any number of CERTIFICATE blocks, text between them
 * allowed, other blocks ignored) or of concatenated DER certificates. `data` points to `len`
 * bytes, borrowed for the call only. Input without any certificate (empty, text only, garbage)
 * or with a broken block is CERTCHAIN_MALFORMED; NULL `builder` or `data` is
 * CERTCHAIN_INVALID_ARGUMENT. On any failure the builder is left as it was: either every
 * certificate of the input is added or none.
 */
certchain_status certchain_store_builder_add_pem(certchain_store_builder *builder,
                                                 const uint8_t *data,
                                                 size_t len);

/**
 * Add the certificates of a PEM or DER file. `path` is a NUL-terminated UTF-8 path, borrowed
 * for the call. An unreadable file is CERTCHAIN_IO; a file without certificates or with a broken
 * block is CERTCHAIN_MALFORMED (the message names the file and line). On failure the builder is
 * left as it was.
 */
certchain_status certchain_store_builder_add_file(certchain_store_builder *builder,
                                                  const char *path);

/**
 * Add the certificates of an OpenSSL-style directory, chosen as by certchain_store_from_dir
 * (unreadable or unparsable files in it are skipped). `path` is borrowed for the call. A
 * directory that cannot be read is CERTCHAIN_IO, one without any usable certificate
 * CERTCHAIN_MALFORMED; on failure the builder is left as it was.
 */
certchain_status certchain_store_builder_add_dir(certchain_store_builder *builder,
                                                 const char *path);

/**
 * Add the system trust store, found as by certchain_store_system (`builder` is borrowed for the
 * call). None found is CERTCHAIN_IO, NULL `builder` CERTCHAIN_INVALID_ARGUMENT; on failure the
 * builder is left as it was.
 */
certchain_status certchain_store_builder_add_system(certchain_store_builder *builder);

/**
 * Add the Mozilla root set built into the library, as in certchain_store_mozilla (`builder` is
 * borrowed for the call). NULL `builder` is CERTCHAIN_INVALID_ARGUMENT.
 */
certchain_status certchain_store_builder_add_mozilla(certchain_store_builder *builder);

/**
 * Add every trust anchor of an existing `store` (borrowed for the call; it is not changed and
 * stays owned by the caller). This is how to extend a store: add it to a builder, add more,
 * build a new store.
 */
certchain_status certchain_store_builder_add_store(certchain_store_builder *builder,
                                                   const certchain_store *store);

/**
 * The number of distinct certificates added to `builder` so far (borrowed for the call); 0 for
 * NULL.
 */
size_t certchain_store_builder_len(const certchain_store_builder *builder);

/**
 * Turn `builder` into an immutable, shareable store.
 *
 * This call takes ownership of `builder` whatever it returns (unless `builder` is NULL): the
 * builder is released and must not be used or freed afterwards. On CERTCHAIN_OK, `*out`
 * receives a new store that the caller frees with certchain_store_free. A builder without any
 * certificate is CERTCHAIN_INVALID_ARGUMENT (an empty store could verify nothing), as are NULL
 * `builder` or `out`; then `*out` is left untouched.
 */
certchain_status certchain_store_builder_build(certchain_store_builder *builder,
                                               certchain_store **out);

/**
 * Release a builder that was not passed to certchain_store_builder_build. NULL is a no-op.
 */
void certchain_store_builder_free(certchain_store_builder *builder);

/**
 * Create options that verify at `unix_time` (seconds since 1970-01-01T00:00:00Z, not negative)
 * for a TLS server certificate, with no host check and the default limits. A negative time is
 * CERTCHAIN_INVALID_ARGUMENT. On CERTCHAIN_OK, `*out` receives new options that the caller frees
 * with certchain_options_free; on failure `*out` is left untouched.
 */
certchain_status certchain_options_new(int64_t unix_time, certchain_options **out);

/**
 * Set the verification time: `unix_time` seconds since 1970-01-01T00:00:00Z, not negative (a
 * negative time is CERTCHAIN_INVALID_ARGUMENT and leaves the options unchanged).
 *
 * Ownership: `opts` is borrowed (mutably) for the call only: the caller keeps ownership, and must not use it from another thread meanwhile.
 */
certchain_status certchain_options_set_time(certchain_options *opts,
                                            int64_t unix_time);

/**
 * Require the leaf to cover `host`: a DNS name (case-insensitive, trailing dot allowed) or an
 * IPv4/IPv6 address (brackets allowed), NUL-terminated UTF-8, borrowed for the call. NULL, an
 * empty string or anything that is neither a valid DNS name nor an IP address is
 * CERTCHAIN_INVALID_ARGUMENT and leaves the options unchanged.
 */
certchain_status certchain_options_set_host(certchain_options *opts, const char *host);

/**
 * Set the purpose: CERTCHAIN_PURPOSE_SERVER, CERTCHAIN_PURPOSE_CLIENT or CERTCHAIN_PURPOSE_ANY.
 * Any other value is CERTCHAIN_INVALID_ARGUMENT and leaves the options unchanged.
 *
 * Ownership: `opts` is borrowed (mutably) for the call only: the caller keeps ownership, and must not use it from another thread meanwhile.
 */
certchain_status certchain_options_set_purpose(certchain_options *opts,
                                               uint32_t purpose);

/**
 * Add an extendedKeyUsage the leaf may carry. Once one is added, the leaf must carry at least one
 * of the added EKUs (any one suffices) instead of the purpose's default (serverAuth for
 * CERTCHAIN_PURPOSE_SERVER). `name_or_oid` is NUL-terminated UTF-8, borrowed for the call: one of
 * "server-auth", "client-auth", "code-signing", "email-protection", "time-stamping",
 * "ocsp-signing" (or their RFC 5280 names "serverAuth", ..., "OCSPSigning"), "any" (no EKU
 * requirement at all) or a dotted OID such as "1.3.6.1.5.5.7.3.1". NULL or anything else is
 * CERTCHAIN_INVALID_ARGUMENT and leaves the options unchanged.
 */
certchain_status certchain_options_add_eku(certchain_options *opts, const char *name_or_oid);

/**
 * Set the profile: CERTCHAIN_PROFILE_WEBPKI (the default) or CERTCHAIN_PROFILE_RFC5280. Any
 * other value is CERTCHAIN_INVALID_ARGUMENT and leaves the options unchanged.
 *
 * Ownership: `opts` is borrowed (mutably) for the call only: the caller keeps ownership, and must not use it from another thread meanwhile.
 */
certchain_status certchain_options_set_profile(certchain_options *opts,
                                               uint32_t profile);

/**
 * Add certificate revocation lists: `data` points to `len` bytes (borrowed for the call; they
 * are copied) holding one DER CRL, or PEM text with one or more "X509 CRL" blocks (other blocks
 * are ignored). Each CRL must parse as an X.509 CertificateList; otherwise the call is
 * CERTCHAIN_MALFORMED and no CRL of the input is added. NULL `opts` or `data` is
 * CERTCHAIN_INVALID_ARGUMENT.
 *
 * Every later certchain_verify_with_options with these options checks revocation against the
 * CRLs added, at every depth below the trust anchor: a CRL whose issuer is the certificate's
 * issuer and whose scope covers it is consulted; a serial listed there is the verdict
 * CERTCHAIN_REVOKED at that depth; such a CRL that cannot be used (bad signature, the issuer may
 * not sign CRLs, outside thisUpdate..nextUpdate at the verification time, an unknown critical
 * extension) is CERTCHAIN_REVOCATION_UNKNOWN. When CRLs from the issuer were added but none
 * covers the certificate (issuingDistributionPoint: a distribution point that is not one of the
 * certificate's cRLDistributionPoints, onlyContainsCACerts for a leaf, ...) or those that do
 * cover only some reasons, that is CERTCHAIN_REVOCATION_UNKNOWN too. A certificate for whose
 * issuer no CRL was added is not checked for revocation.
 */
certchain_status certchain_options_add_crl(certchain_options *opts,
                                           const uint8_t *data,
                                           size_t len);

/**
 * Allow at most `max_intermediates` intermediates between the leaf and the trust anchor
 * (default 10; 0 means the leaf must be issued by a trust anchor). A longer path is the verdict
 * CERTCHAIN_CHAIN_TOO_LONG.
 *
 * Ownership: `opts` is borrowed (mutably) for the call only: the caller keeps ownership, and must not use it from another thread meanwhile.
 */
certchain_status certchain_options_set_max_depth(certchain_options *opts,
                                                 uint32_t max_intermediates);

/**
 * Release options created by certchain_options_new. NULL is a no-op. The options must not be
 * used afterwards.
 */
void certchain_options_free(certchain_options *opts);

/**
 * Verify a presented chain against `store` at `unix_time` (seconds since
 * 1970-01-01T00:00:00Z), for a TLS server certificate, checking that the leaf covers `host`
 * unless `host` is NULL.
 *
 * `chain` points to `chain_len` bytes of PEM or DER (as in an nginx ssl_certificate file): the
 * first certificate is the leaf, the others are candidate intermediates in any order; other PEM
 * blocks (a private key) are ignored. The bytes, `host` and `store` are only borrowed for the
 * call; the store may be used by other threads at the same time.
 *
 * The return value is the call's status. CERTCHAIN_OK: a verdict was reached and `*out`
 * receives a new result, owned by the caller and released with certchain_result_free; the
 * verdict itself is certchain_result_status(*out), 0 when the chain verified. A chain that does
 * not verify, and one that does not even parse (empty, garbage, truncated DER, broken PEM:
 * verdict CERTCHAIN_MALFORMED with a message naming the line or block), is still CERTCHAIN_OK
 * here. CERTCHAIN_INVALID_ARGUMENT: NULL `store`, `chain` or `out`, a negative time, or a `host`
 * that is not UTF-8 or not a valid DNS name or IP address; then nothing is written to `*out`
 * and certchain_last_error() says why.
 */
certchain_status certchain_verify(const certchain_store *store,
                                  const uint8_t *chain,
                                  size_t chain_len,
                                  const char *host,
                                  int64_t unix_time,
                                  certchain_result **out);

/**
 * Verify like certchain_verify, with the time, host, purpose, required EKUs, profile and
 * limits taken from `opts` (borrowed for the call; several threads may verify with the same
 * options at once). Status and ownership as for certchain_verify: CERTCHAIN_OK with a new result
 * in `*out` whatever the verdict; CERTCHAIN_INVALID_ARGUMENT for NULL `store`, `chain`, `opts`
 * or `out`, with nothing written. CRLs added to `opts` are checked (see certchain_options_add_crl).
 */
certchain_status certchain_verify_with_options(const certchain_store *store,
                                               const uint8_t *chain,
                                               size_t chain_len,
                                               const certchain_options *opts,
                                               certchain_result **out);

/**
 * The verdict as a numeric code: 0 (CERTCHAIN_OK) when the chain verified, otherwise the error
 * code of the most specific problem found, e.g. CERTCHAIN_EXPIRED (300), CERTCHAIN_MALFORMED
 * (100) for a chain that does not parse. The codes are the certchain_status values, so this is
 * also "the error code" of the result (there is no separate function for it); its name is
 * certchain_result_error_kind, its detail certchain_result_message. NULL gives
 * CERTCHAIN_INVALID_ARGUMENT (101), never 0: a missing result must not read as "verified".
 *
 * Ownership: `r` is borrowed for the call only; the caller keeps it (free it with certchain_result_free).
 */
uint32_t certchain_result_status(const certchain_result *r);

/**
 * The snake_case name of the verdict: "ok" when verified, else e.g. "expired",
 * "hostname_mismatch". Static: never free it. NULL for a NULL result.
 */
const char *certchain_result_error_kind(const certchain_result *r);

/**
 * The depth (0 = leaf) of the certificate the verdict is about, or -1 when verified, when the
 * failure is not about one certificate (e.g. a chain that does not parse) or for NULL.
 *
 * Ownership: `r` is borrowed for the call only; the caller keeps it (free it with certchain_result_free).
 */
int64_t certchain_result_depth(const certchain_result *r);

/**
 * The full message of the verdict, e.g. "expired at depth 0 (CN=example.com): certificate
 * expired at 2021-06-06T01:26:54Z; verification time ...", or for a chain that does not parse
 * "malformed: chain: line 1: ..." (the chain is named "chain"; lines and blocks are counted in
 * the bytes given). "" when verified; NULL for a NULL result. Valid until the result is freed.
 */
const char *certchain_result_message(const certchain_result *r);

/**
 * The number of certificates in the result's chain: the verified path (leaf to trust anchor),
 * or the best path found when verification failed (possibly not reaching an anchor); 0 when the
 * chain did not parse, and for NULL. Valid depths are 0 .. len-1.
 *
 * Ownership: `r` is borrowed for the call only; the caller keeps it (free it with certchain_result_free).
 */
size_t certchain_result_chain_len(const certchain_result *r);

/**
 * The subject of the certificate at `depth`, e.g. "CN=R3,O=Let's Encrypt,C=US" (RFC 4514
 * order). NULL for a NULL result or a depth out of range. Valid until the result is freed.
 */
const char *certchain_result_subject(const certchain_result *r, size_t depth);

/**
 * The issuer of the certificate at `depth`, formatted like certchain_result_subject. NULL for a
 * NULL result or a depth out of range. Valid until the result is freed.
 */
const char *certchain_result_issuer(const certchain_result *r, size_t depth);

/**
 * The notBefore of the certificate at `depth`, in seconds since 1970-01-01T00:00:00Z; -1 for a
 * NULL result or a depth out of range.
 *
 * Ownership: `r` is borrowed for the call only; the caller keeps it (free it with certchain_result_free).
 */
int64_t certchain_result_not_before(const certchain_result *r,
                                    size_t depth);

/**
 * The notAfter of the certificate at `depth`, in seconds since 1970-01-01T00:00:00Z; -1 for a
 * NULL result or a depth out of range.
 *
 * Ownership: `r` is borrowed for the call only; the caller keeps it (free it with certchain_result_free).
 */
int64_t certchain_result_not_after(const certchain_result *r,
                                   size_t depth);

/**
 * Whether the certificate at `depth` is the trust anchor (from the store) that ends the path.
 * false for a NULL result or a depth out of range.
 *
 * Ownership: `r` is borrowed for the call only; the caller keeps it (free it with certchain_result_free).
 */
bool certchain_result_is_trust_anchor(const certchain_result *r,
                                      size_t depth);

/**
 * The DER encoding of the certificate at `depth`: on CERTCHAIN_OK, `*der` points to `*len`
 * bytes owned by the result, valid until it is freed (do not free them). A NULL argument or a
 * depth out of range is CERTCHAIN_INVALID_ARGUMENT, and nothing is written.
 */
certchain_status certchain_result_der(const certchain_result *r,
                                      size_t depth,
                                      const uint8_t **der,
                                      size_t *len);

/**
 * Write the SHA-256 fingerprint of the DER of the certificate at `depth` to `out`, which must
 * have room for CERTCHAIN_SHA256_LEN (32) bytes. A NULL argument or a depth out of range is
 * CERTCHAIN_INVALID_ARGUMENT, and nothing is written.
 *
 * Ownership: `r` is borrowed for the call only; `out` is the caller's buffer, written during the call and never kept: the caller owns both before and after.
 */
certchain_status certchain_result_sha256(const certchain_result *r,
                                         size_t depth,
                                         uint8_t *out);

/**
 * Release a result from certchain_verify or certchain_verify_with_options, with every string
 * and byte pointer obtained from it. NULL is a no-op.
 */
void certchain_result_free(certchain_result *r);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* CERTCHAIN_H */
