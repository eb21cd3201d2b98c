#ifndef MFA_CQRENCODE_SHIM_H
#define MFA_CQRENCODE_SHIM_H
#include <errno.h>
#include <qrencode.h>
static inline int mfa_errno(void) { return errno; }
static inline void mfa_clear_errno(void) { errno = 0; }
#endif
