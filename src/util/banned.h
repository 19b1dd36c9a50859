/*
 * banned.h — functions that have no place in sakimori (force-included by the
 * build). Unbounded copies and formatting, and number parsing that cannot
 * report errors, are poisoned: use snprintf, sk_buf, memcpy with a checked
 * length, strtol/strtoul with end-pointer checks.
 */
#ifndef SAKIMORI_BANNED_H
#define SAKIMORI_BANNED_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC poison sprintf vsprintf strcpy strcat gets atoi atol atoll strtok

#endif
