/*
 * ngx_http_certchain_module: refuse, at configuration time (`nginx -t`, start, reload), a
 * server{} whose ssl_certificate chain would not verify for a TLS client.
 *
 * For every server{} served over TLS with ssl_certificate files, each file (leaf first, then intermediates, as
 * nginx serves it) is verified with libcertchain at the current time against the trust anchors
 * of `certchain_trusted_certificate FILE;` (default: the Mozilla root set built into
 * libcertchain), then against each literal server_name of the block (names with wildcards,
 * regular expressions, "" and catch-alls such as "_" are not checked). A failure is an [emerg] that names the file,
 * the depth (0 = leaf) and the problem: expired or not yet valid, missing intermediate (unknown
 * issuer), host name mismatch, wrong order (the leaf is not the first certificate), or any other
 * verdict of libcertchain; the configuration is then refused.
 *
 *   certchain_check on | off;                 (http, server; default on)
 *   certchain_trusted_certificate FILE;       (http, server; default: the Mozilla set)
 *
 * ssl_certificate values with variables or "data:" are skipped (they are only known per
 * handshake). The module merges its configuration before ngx_http_ssl_module (see `config`),
 * so its verdicts come before nginx loads the certificate and key; it reads ssl_certificate
 * from the server{} or, when the block has none, from http{}.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "certchain.h"

#if !(NGX_HTTP_SSL)
#error "ngx_http_certchain_module needs nginx configured --with-http_ssl_module"
#endif

/* Upper bound on a certificate file (a chain is a few KiB). */
#define NGX_HTTP_CERTCHAIN_MAX_FILE (1024 * 1024)
/* Certificates of one file considered when looking for a misplaced leaf. */
#define NGX_HTTP_CERTCHAIN_MAX_BLOCKS 16

typedef struct {
    /* The srv_conf array of http{}: where an inherited ssl_certificate is. */
    void **http_srv_conf;
} ngx_http_certchain_main_conf_t;

typedef struct {
    ngx_flag_t check;
    ngx_str_t trusted;
} ngx_http_certchain_srv_conf_t;

/* One PEM CERTIFICATE block of a file: [start, end). */
typedef struct {
    size_t start;
    size_t end;
} ngx_http_certchain_block_t;

static void *ngx_http_certchain_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_certchain_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_http_certchain_create_srv_conf(ngx_conf_t *cf);
static char *ngx_http_certchain_merge_srv_conf(ngx_conf_t *cf, void *parent, void *child);

static ngx_command_t ngx_http_certchain_commands[] = {

    {ngx_string("certchain_check"), NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_CONF_FLAG,
     ngx_conf_set_flag_slot, NGX_HTTP_SRV_CONF_OFFSET,
     offsetof(ngx_http_certchain_srv_conf_t, check), NULL},

    {ngx_string("certchain_trusted_certificate"),
     NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_CONF_TAKE1, ngx_conf_set_str_slot,
     NGX_HTTP_SRV_CONF_OFFSET, offsetof(ngx_http_certchain_srv_conf_t, trusted), NULL},

    ngx_null_command};

static ngx_http_module_t ngx_http_certchain_module_ctx = {
    NULL, /* preconfiguration */
    NULL, /* postconfiguration */

    ngx_http_certchain_create_main_conf, /* create main configuration */
    ngx_http_certchain_init_main_conf,   /* init main configuration */

    ngx_http_certchain_create_srv_conf, /* create server configuration */
    ngx_http_certchain_merge_srv_conf,  /* merge server configuration */

    NULL, /* create location configuration */
    NULL  /* merge location configuration */
};

ngx_module_t ngx_http_certchain_module = {NGX_MODULE_V1,
                                          &ngx_http_certchain_module_ctx, /* module context */
                                          ngx_http_certchain_commands,    /* module directives */
                                          NGX_HTTP_MODULE,                /* module type */
                                          NULL,                           /* init master */
                                          NULL,                           /* init module */
                                          NULL,                           /* init process */
                                          NULL,                           /* init thread */
                                          NULL,                           /* exit thread */
                                          NULL,                           /* exit process */
                                          NULL,                           /* exit master */
                                          NGX_MODULE_V1_PADDING};

static void *
ngx_http_certchain_create_main_conf(ngx_conf_t *cf)
{
    return ngx_pcalloc(cf->pool, sizeof(ngx_http_certchain_main_conf_t));
}

/* Runs right before this module's servers are merged, with cf->ctx at the http{} level. */
static char *
ngx_http_certchain_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_certchain_main_conf_t *mcf = conf;

    mcf->http_srv_conf = ((ngx_http_conf_ctx_t *)cf->ctx)->srv_conf;
    return NGX_CONF_OK;
}

static void *
ngx_http_certchain_create_srv_conf(ngx_conf_t *cf)
{
    ngx_http_certchain_srv_conf_t *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_certchain_srv_conf_t));
    if (conf == NULL) {
        return NULL;
    }
    conf->check = NGX_CONF_UNSET;
    /* conf->trusted = { 0, NULL }: unset */
    return conf;
}

/* The ssl_certificate values of the server{} being merged, or of http{} when it has none. */
static ngx_array_t *
ngx_http_certchain_certificates(ngx_conf_t *cf)
{
    ngx_http_ssl_srv_conf_t *sscf;
    ngx_http_certchain_main_conf_t *mcf;

    sscf = ngx_http_conf_get_module_srv_conf(cf, ngx_http_ssl_module);
    if (sscf != NULL && sscf->certificates != NGX_CONF_UNSET_PTR) {
        return sscf->certificates; /* set here, or already merged */
    }
    mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_certchain_module);
    if (mcf == NULL || mcf->http_srv_conf == NULL) {
        return NULL;
    }
    sscf = mcf->http_srv_conf[ngx_http_ssl_module.ctx_index];
    if (sscf != NULL && sscf->certificates != NGX_CONF_UNSET_PTR) {
        return sscf->certificates;
    }
    return NULL;
}

/*
 * Whether the server{} being merged is served over TLS: one of its listen addresses has the
 * "ssl" parameter (nginx applies it to every server{} on that address), or "ssl on;" (the
 * deprecated form) is set for it. A plain-HTTP server{} inheriting ssl_certificate from http{}
 * is not checked.
 */
static ngx_uint_t
ngx_http_certchain_serves_tls(ngx_conf_t *cf)
{
    ngx_http_core_main_conf_t *cmcf;
    ngx_http_core_srv_conf_t *cscf, **server;
    ngx_http_ssl_srv_conf_t *sscf;
    ngx_http_certchain_main_conf_t *mcf;
    ngx_http_conf_port_t *port;
    ngx_http_conf_addr_t *addr;
    ngx_uint_t p, a, i;
    ngx_flag_t enable;

    sscf = ngx_http_conf_get_module_srv_conf(cf, ngx_http_ssl_module);
    enable = sscf != NULL ? sscf->enable : NGX_CONF_UNSET;
    mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_certchain_module);
    if (enable == NGX_CONF_UNSET && mcf != NULL && mcf->http_srv_conf != NULL) {
        sscf = mcf->http_srv_conf[ngx_http_ssl_module.ctx_index];
        enable = sscf != NULL ? sscf->enable : NGX_CONF_UNSET;
    }
    if (enable == 1) {
        return 1;
    }

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);
    cscf = ngx_http_conf_get_module_srv_conf(cf, ngx_http_core_module);
    if (cmcf->ports == NULL) {
        return 0;
    }
    port = cmcf->ports->elts;
    for (p = 0; p < cmcf->ports->nelts; p++) {
        addr = port[p].addrs.elts;
        for (a = 0; a < port[p].addrs.nelts; a++) {
            if (!addr[a].opt.ssl) {
                continue;
            }
            server = addr[a].servers.elts;
            for (i = 0; i < addr[a].servers.nelts; i++) {
                if (server[i] == cscf) {
                    return 1;
                }
            }
        }
    }
    return 0;
}

/* A NUL-terminated copy of `s`, from the temporary pool. */
static char *
ngx_http_certchain_cstr(ngx_conf_t *cf, ngx_str_t *s)
{
    u_char *p;

    p = ngx_pnalloc(cf->temp_pool, s->len + 1);
    if (p == NULL) {
        return NULL;
    }
    ngx_memcpy(p, s->data, s->len);
    p[s->len] = '\0';
    return (char *)p;
}

/* `name` resolved against the configuration prefix, NUL-terminated. */
static ngx_int_t
ngx_http_certchain_full_name(ngx_conf_t *cf, ngx_str_t *name, ngx_str_t *full)
{
    ngx_str_t copy;

    copy.len = name->len;
    copy.data = (u_char *)ngx_http_certchain_cstr(cf, name);
    if (copy.data == NULL || ngx_conf_full_name(cf->cycle, &copy, 1) != NGX_OK) {
        return NGX_ERROR;
    }
    full->len = copy.len;
    full->data = (u_char *)ngx_http_certchain_cstr(cf, &copy);
    return full->data == NULL ? NGX_ERROR : NGX_OK;
}

/* The whole file, from the temporary pool; NULL (logged) on failure. */
static u_char *
ngx_http_certchain_read(ngx_conf_t *cf, ngx_str_t *path, size_t *len)
{
    ngx_fd_t fd;
    ngx_file_info_t fi;
    off_t size;
    size_t got;
    ssize_t n;
    u_char *buf;

    fd = ngx_open_file(path->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, ngx_errno,
                      "certchain: ssl_certificate \"%V\": " ngx_open_file_n " failed", path);
        return NULL;
    }
    buf = NULL;
    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, ngx_errno,
                      "certchain: ssl_certificate \"%V\": " ngx_fd_info_n " failed", path);
        goto done;
    }
    size = ngx_file_size(&fi);
    if (size < 0 || size > NGX_HTTP_CERTCHAIN_MAX_FILE) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "certchain: ssl_certificate \"%V\": %O bytes is not a certificate chain",
                      path, size);
        goto done;
    }
    buf = ngx_pnalloc(cf->temp_pool, (size_t)size + 1);
    if (buf == NULL) {
        goto done;
    }
    for (got = 0; got < (size_t)size; got += (size_t)n) {
        n = ngx_read_fd(fd, buf + got, (size_t)size - got);
        if (n == -1) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, ngx_errno,
                          "certchain: ssl_certificate \"%V\": " ngx_read_fd_n " failed", path);
            buf = NULL;
            goto done;
        }
        if (n == 0) {
            break; /* the file shrank: take what is there */
        }
    }
    *len = got;

done:
    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_ALERT, cf->log, ngx_errno, ngx_close_file_n " \"%V\" failed", path);
    }
    return buf;
}

/* The PEM CERTIFICATE blocks of `data`, in file order; returns how many (at most `max`). */
static ngx_uint_t
ngx_http_certchain_blocks(u_char *data, size_t len, ngx_http_certchain_block_t *blocks,
                          ngx_uint_t max)
{
    static const char begin[] = "-----BEGIN CERTIFICATE-----";
    static const char end[] = "-----END CERTIFICATE-----";
    u_char *p, *last, *b, *e;
    ngx_uint_t n;

    n = 0;
    p = data;
    last = data + len;
    while (n < max) {
        b = ngx_strlcasestrn(p, last, (u_char *)begin, sizeof(begin) - 2);
        if (b == NULL) {
            break;
        }
        e = ngx_strlcasestrn(b, last, (u_char *)end, sizeof(end) - 2);
        if (e == NULL) {
            break;
        }
        e += sizeof(end) - 1;
        while (e < last && (*e == '\r' || *e == '\n')) {
            e++;
        }
        blocks[n].start = (size_t)(b - data);
        blocks[n].end = (size_t)(e - data);
        n++;
        p = e;
    }
    return n;
}

/* A new result, or NULL with the call's failure logged. */
static certchain_result *
ngx_http_certchain_verify(ngx_conf_t *cf, ngx_str_t *path, const certchain_store *store,
                          const u_char *data, size_t len, const certchain_options *opts)
{
    certchain_result *r = NULL;

    if (certchain_verify_with_options(store, data, len, opts, &r) != CERTCHAIN_OK) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0, "certchain: ssl_certificate \"%V\": %s", path,
                      certchain_last_error());
        return NULL;
    }
    return r;
}

/*
 * When the chain fails as given, is its leaf elsewhere in the file? Moves each later
 * certificate to the front in turn; returns the 1-based position of the first one with which
 * the chain verifies under the same options (its subject in *subject), or 0.
 */
static ngx_uint_t
ngx_http_certchain_misplaced_leaf(ngx_conf_t *cf, ngx_str_t *path, const certchain_store *store,
                                  u_char *data, size_t len, const certchain_options *opts,
                                  u_char *subject, size_t subject_size)
{
    ngx_http_certchain_block_t blocks[NGX_HTTP_CERTCHAIN_MAX_BLOCKS];
    ngx_uint_t n, i, j, found;
    u_char *buf, *p;
    certchain_result *r;
    const char *s;

    n = ngx_http_certchain_blocks(data, len, blocks, NGX_HTTP_CERTCHAIN_MAX_BLOCKS);
    if (n < 2) {
        return 0;
    }
    buf = ngx_pnalloc(cf->temp_pool, len);
    if (buf == NULL) {
        return 0;
    }
    found = 0;
    for (j = 1; j < n && found == 0; j++) {
        p = ngx_cpymem(buf, data + blocks[j].start, blocks[j].end - blocks[j].start);
        for (i = 0; i < n; i++) {
            if (i != j) {
                p = ngx_cpymem(p, data + blocks[i].start, blocks[i].end - blocks[i].start);
            }
        }
        r = ngx_http_certchain_verify(cf, path, store, buf, (size_t)(p - buf), opts);
        if (r != NULL && certchain_result_status(r) == CERTCHAIN_OK) {
            found = j + 1;
            s = certchain_result_subject(r, 0);
            ngx_cpystrn(subject, (u_char *)(s != NULL ? s : "?"), subject_size);
        }
        certchain_result_free(r);
    }
    return found;
}

/* A few words for the problem behind a verdict, for people reading `nginx -t`. */
static const char *
ngx_http_certchain_problem(uint32_t status)
{
    switch (status) {
    case CERTCHAIN_EXPIRED:
        return "certificate expired";
    case CERTCHAIN_NOT_YET_VALID:
        return "certificate not yet valid";
    case CERTCHAIN_UNKNOWN_ISSUER:
        return "missing intermediate certificate or untrusted root";
    case CERTCHAIN_HOSTNAME_MISMATCH:
        return "host name mismatch";
    case CERTCHAIN_MALFORMED:
        return "not a certificate chain";
    default:
        return "verification failed";
    }
}

/*
 * Verify one ssl_certificate file without a host, then for each of `hosts`; log every problem.
 * Returns NGX_OK when everything verified, NGX_DECLINED when something did not, NGX_ERROR when a
 * call failed.
 */
static ngx_int_t
ngx_http_certchain_check_file(ngx_conf_t *cf, ngx_str_t *path, const certchain_store *store,
                              ngx_array_t *hosts)
{
    u_char *data, subject[512];
    size_t len;
    ngx_uint_t i, pos;
    ngx_int_t rc;
    char **host;
    const char *name;
    certchain_options *opts;
    certchain_result *r;
    uint32_t status;

    data = ngx_http_certchain_read(cf, path, &len);
    if (data == NULL) {
        return NGX_ERROR;
    }
    opts = NULL;
    if (certchain_options_new((int64_t)ngx_time(), &opts) != CERTCHAIN_OK) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0, "certchain: %s", certchain_last_error());
        return NGX_ERROR;
    }

    rc = NGX_OK;
    host = hosts->elts;
    /* i == 0: no host; i > 0: hosts[i - 1]. A chain that fails without a host fails for all. */
    for (i = 0; i <= hosts->nelts && rc == NGX_OK; i++) {
        name = i == 0 ? NULL : host[i - 1];
        if (name != NULL && certchain_options_set_host(opts, name) != CERTCHAIN_OK) {
            ngx_log_error(NGX_LOG_INFO, cf->log, 0,
                          "certchain: server_name \"%s\" is not checked: %s", name,
                          certchain_last_error());
            continue;
        }
        r = ngx_http_certchain_verify(cf, path, store, data, len, opts);
        if (r == NULL) {
            rc = NGX_ERROR;
            break;
        }
        status = certchain_result_status(r);
        if (status == CERTCHAIN_OK) {
            ngx_log_error(NGX_LOG_INFO, cf->log, 0,
                          "certchain: ssl_certificate \"%V\"%s%s%s verified (%uz certificates)",
                          path, name ? " for server_name \"" : "", name ? name : "",
                          name ? "\"" : "", certchain_result_chain_len(r));
            certchain_result_free(r);
            continue;
        }

        rc = NGX_DECLINED;
        pos = ngx_http_certchain_misplaced_leaf(cf, path, store, data, len, opts, subject,
                                                sizeof(subject));
        if (pos != 0) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "certchain: ssl_certificate \"%V\"%s%s%s: wrong order: certificate %ui "
                          "of the file (%s) is the leaf and must come first, followed by its "
                          "intermediates; as given, certificate 1 is taken for the leaf: %s",
                          path, name ? " for server_name \"" : "", name ? name : "",
                          name ? "\"" : "", pos, subject, certchain_result_message(r));
        } else {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0, "certchain: ssl_certificate \"%V\"%s%s%s: %s: %s",
                          path, name ? " for server_name \"" : "", name ? name : "",
                          name ? "\"" : "", ngx_http_certchain_problem(status),
                          certchain_result_message(r));
        }
        certchain_result_free(r);
    }
    certchain_options_free(opts);
    return rc;
}

/* The literal server_name values of the block, NUL-terminated. */
static ngx_array_t *
ngx_http_certchain_hosts(ngx_conf_t *cf)
{
    ngx_http_core_srv_conf_t *cscf;
    ngx_http_server_name_t *sn;
    ngx_array_t *hosts;
    ngx_uint_t i;
    char **h;

    hosts = ngx_array_create(cf->temp_pool, 4, sizeof(char *));
    if (hosts == NULL) {
        return NULL;
    }
    cscf = ngx_http_conf_get_module_srv_conf(cf, ngx_http_core_module);
    sn = cscf->server_names.elts;
    for (i = 0; i < cscf->server_names.nelts; i++) {
#if (NGX_PCRE)
        if (sn[i].regex) {
            continue;
        }
#endif
        /* "~regex", ".example.com", "*.example.com", "www.example.*", "", and the catch-all
         * "_" (underscores are not valid in host names, so no name with one is checked) */
        if (sn[i].name.len == 0 || sn[i].name.data[0] == '~' || sn[i].name.data[0] == '.' ||
            ngx_strlchr(sn[i].name.data, sn[i].name.data + sn[i].name.len, '*') != NULL ||
            ngx_strlchr(sn[i].name.data, sn[i].name.data + sn[i].name.len, '_') != NULL) {
            continue;
        }
        h = ngx_array_push(hosts);
        if (h == NULL) {
            return NULL;
        }
        *h = ngx_http_certchain_cstr(cf, &sn[i].name);
        if (*h == NULL) {
            return NULL;
        }
    }
    return hosts;
}

static char *
ngx_http_certchain_merge_srv_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_certchain_srv_conf_t *prev = parent;
    ngx_http_certchain_srv_conf_t *conf = child;
    ngx_array_t *certificates, *hosts;
    ngx_str_t *cert, path, trusted;
    ngx_uint_t i;
    ngx_int_t rc, failed;
    certchain_store *store;
    certchain_status s;

    ngx_conf_merge_value(conf->check, prev->check, 1);
    ngx_conf_merge_str_value(conf->trusted, prev->trusted, "");

    if (!conf->check) {
        return NGX_CONF_OK;
    }
    certificates = ngx_http_certchain_certificates(cf);
    if (certificates == NULL || certificates->nelts == 0 || !ngx_http_certchain_serves_tls(cf)) {
        return NGX_CONF_OK;
    }
    hosts = ngx_http_certchain_hosts(cf);
    if (hosts == NULL) {
        return NGX_CONF_ERROR;
    }

    store = NULL;
    if (conf->trusted.len == 0) {
        s = certchain_store_mozilla(&store);
        ngx_str_set(&trusted, "the Mozilla root set");
    } else {
        if (ngx_http_certchain_full_name(cf, &conf->trusted, &trusted) != NGX_OK) {
            return NGX_CONF_ERROR;
        }
        s = certchain_store_from_file((const char *)trusted.data, &store);
    }
    if (s != CERTCHAIN_OK) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0, "certchain: certchain_trusted_certificate: %s",
                      certchain_last_error());
        return NGX_CONF_ERROR;
    }

    failed = 0;
    cert = certificates->elts;
    for (i = 0; i < certificates->nelts; i++) {
        if ((cert[i].len >= 5 && ngx_strncmp(cert[i].data, "data:", 5) == 0) ||
            ngx_strlchr(cert[i].data, cert[i].data + cert[i].len, '$') != NULL) {
            ngx_log_error(NGX_LOG_INFO, cf->log, 0,
                          "certchain: ssl_certificate \"%V\" is not checked (variables or data:)",
                          &cert[i]);
            continue;
        }
        if (ngx_http_certchain_full_name(cf, &cert[i], &path) != NGX_OK) {
            failed = 1;
            break;
        }
        rc = ngx_http_certchain_check_file(cf, &path, store, hosts);
        if (rc != NGX_OK) {
            failed = 1;
        }
        if (rc == NGX_DECLINED) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "certchain: ssl_certificate \"%V\" was verified against %V; fix the "
                          "chain, or set \"certchain_check off;\" in this server{}",
                          &path, &trusted);
        }
    }
    certchain_store_free(store);
    return failed ? NGX_CONF_ERROR : NGX_CONF_OK;
}
