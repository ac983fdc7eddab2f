/*
 * Prints the version macros of the installed certchain.h and what certchain_version() says, as
 * "MAJOR MINOR PATCH NUMBER LIBRARY_VERSION"; tests/c_example.rs compares them with Cargo.toml.
 * Built with -DEXPECTED_NUMBER=N (N from Cargo.toml) so the preprocessor evaluates the macro
 * too, as a program guarding on `#if CERTCHAIN_VERSION_NUMBER >= ...` would.
 */
#include <stdio.h>

#include "certchain.h"

#ifndef EXPECTED_NUMBER
#error "build with -DEXPECTED_NUMBER=MAJOR*10000+MINOR*100+PATCH"
#endif
#if CERTCHAIN_VERSION_NUMBER != EXPECTED_NUMBER
#error "CERTCHAIN_VERSION_NUMBER does not evaluate to EXPECTED_NUMBER"
#endif
#if CERTCHAIN_VERSION_NUMBER != CERTCHAIN_VERSION_MAJOR * 10000 + CERTCHAIN_VERSION_MINOR * 100 + CERTCHAIN_VERSION_PATCH
#error "CERTCHAIN_VERSION_NUMBER is not MAJOR * 10000 + MINOR * 100 + PATCH"
#endif

int main(void) {
    printf("%d %d %d %d %s\n", (int)CERTCHAIN_VERSION_MAJOR, (int)CERTCHAIN_VERSION_MINOR,
           (int)CERTCHAIN_VERSION_PATCH, (int)CERTCHAIN_VERSION_NUMBER, certchain_version());
    return 0;
}
