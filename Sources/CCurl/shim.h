#include <curl/curl.h>
#include <dlfcn.h>
#include <stddef.h>

// libcurl is loaded with dlopen when the first IMAP or POP3 mailbox is polled, not linked: a daemon that
// reads no mailbox does not map libcurl and the ~27 libraries it pulls in (OpenSSL, GnuTLS, Kerberos,
// LDAP, ...), which cost 5.5 MB of resident memory (docs/design/2026-12-03-mail-inputs.md).
// The header supplies the types and constants only.

/// The libcurl functions bouncetail calls, resolved from libcurl.so.4.
typedef struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    // Variadic, as libcurl declares it: the call goes through a variadic prototype, as C requires.
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
} bt_curl_api;

/// Loads libcurl.so.4 into `api`; NULL on success, else why not.
static inline const char *bt_curl_load(bt_curl_api *api) {
    void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        const char *e = dlerror();
        return e != NULL ? e : "dlopen(libcurl.so.4) failed";
    }
    api->global_init = (CURLcode (*)(long))dlsym(h, "curl_global_init");
    api->easy_init = (CURL * (*)(void)) dlsym(h, "curl_easy_init");
    api->easy_setopt = (CURLcode (*)(CURL *, CURLoption, ...))dlsym(h, "curl_easy_setopt");
    api->easy_perform = (CURLcode (*)(CURL *))dlsym(h, "curl_easy_perform");
    api->easy_cleanup = (void (*)(CURL *))dlsym(h, "curl_easy_cleanup");
    api->easy_strerror = (const char *(*)(CURLcode))dlsym(h, "curl_easy_strerror");
    if (api->global_init == NULL || api->easy_init == NULL || api->easy_setopt == NULL ||
        api->easy_perform == NULL || api->easy_cleanup == NULL || api->easy_strerror == NULL) {
        return "libcurl.so.4 lacks one of curl_global_init, curl_easy_init, curl_easy_setopt, curl_easy_perform, "
               "curl_easy_cleanup, curl_easy_strerror";
    }
    return NULL;
}

// curl_easy_setopt is variadic, which Swift cannot call: one typed wrapper per argument kind.
static inline CURLcode bt_curl_setopt_long(const bt_curl_api *a, CURL *h, CURLoption o, long v) {
    return a->easy_setopt(h, o, v);
}
static inline CURLcode bt_curl_setopt_string(const bt_curl_api *a, CURL *h, CURLoption o, const char *v) {
    return a->easy_setopt(h, o, v);
}
static inline CURLcode bt_curl_setopt_pointer(const bt_curl_api *a, CURL *h, CURLoption o, void *v) {
    return a->easy_setopt(h, o, v);
}
static inline CURLcode bt_curl_setopt_write(
    const bt_curl_api *a, CURL *h, size_t (*f)(char *, size_t, size_t, void *)) {
    return a->easy_setopt(h, CURLOPT_WRITEFUNCTION, f);
}

#include <signal.h>
#include <sys/prctl.h>

// A mailbox poll runs in a child process of `run` (so the daemon never maps libcurl): the child asks the
// kernel to kill it when `run` dies, so a `kill -9` of `run` ends its poll at once, as if it were a thread.
// prctl is variadic, which Swift cannot call. Returns 0 on success.
static inline int bt_die_with_parent(void) { return prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); }
