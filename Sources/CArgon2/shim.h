#ifndef MFA_CARGON2_SHIM_H
#define MFA_CARGON2_SHIM_H
#include <argon2.h>
#endif
