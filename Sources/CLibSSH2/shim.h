// libssh2 for Swift: the header, plus inline functions standing in for the function-like macros
// (libssh2_channel_read, libssh2_channel_exec, ...) that Swift cannot import.
#ifndef CLIBSSH2_SHIM_H
#define CLIBSSH2_SHIM_H

#include <libssh2.h>
#include <string.h>

static inline LIBSSH2_SESSION *cssh_session_init(void) { return libssh2_session_init_ex(NULL, NULL, NULL, NULL); }

static inline int cssh_session_disconnect(LIBSSH2_SESSION *s, const char *description) {
    return libssh2_session_disconnect_ex(s, SSH_DISCONNECT_BY_APPLICATION, description, "");
}

static inline LIBSSH2_CHANNEL *cssh_channel_open_session(LIBSSH2_SESSION *s) {
    return libssh2_channel_open_ex(s, "session", sizeof("session") - 1, LIBSSH2_CHANNEL_WINDOW_DEFAULT,
                                   LIBSSH2_CHANNEL_PACKET_DEFAULT, NULL, 0);
}

static inline int cssh_channel_exec(LIBSSH2_CHANNEL *c, const char *command) {
    return libssh2_channel_process_startup(c, "exec", sizeof("exec") - 1, command, (unsigned int)strlen(command));
}

static inline ssize_t cssh_channel_read(LIBSSH2_CHANNEL *c, char *buf, size_t len) {
    return libssh2_channel_read_ex(c, 0, buf, len);
}

static inline ssize_t cssh_channel_read_stderr(LIBSSH2_CHANNEL *c, char *buf, size_t len) {
    return libssh2_channel_read_ex(c, SSH_EXTENDED_DATA_STDERR, buf, len);
}

static inline ssize_t cssh_channel_write(LIBSSH2_CHANNEL *c, const char *buf, size_t len) {
    return libssh2_channel_write_ex(c, 0, buf, len);
}

static inline int cssh_userauth_publickey_fromfile(LIBSSH2_SESSION *s, const char *user, const char *publickey,
                                                   const char *privatekey, const char *passphrase) {
    return libssh2_userauth_publickey_fromfile_ex(s, user, (unsigned int)strlen(user), publickey, privatekey, passphrase);
}

static inline int cssh_knownhost_readfile(LIBSSH2_KNOWNHOSTS *h, const char *path) {
    return libssh2_knownhost_readfile(h, path, LIBSSH2_KNOWNHOST_FILE_OPENSSH);
}

#endif
