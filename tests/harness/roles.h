/* Unit-test helper: the holders of a role (petro/schema.h, the role table) collected in a
 * list, for the tests of the families that keep roles (test_reserves.c, test_zones.c). */
#ifndef PETRO_TEST_ROLES_H
#define PETRO_TEST_ROLES_H

#include <string.h>

#include "petro/petro.h"
#include "petro/schema.h"
#include "test.h"

#define ROLE_LIST_MAX 16

typedef struct role_list {
    size_t count; /* every holder seen; the first ROLE_LIST_MAX are kept */
    petro_pubkey holders[ROLE_LIST_MAX];
} role_list;

static inline int role_collect(void *ctx, const petro_pubkey *holder) {
    role_list *l = ctx;
    if (l->count < ROLE_LIST_MAX) l->holders[l->count] = *holder;
    l->count++;
    return 0;
}

/* The holders of role in state; petro_role_each must answer want. */
static inline role_list roles_of(const petro_store *state, petro_role role, petro_result want) {
    role_list l;
    memset(&l, 0, sizeof l);
    ASSERT_EQ(petro_role_each(state, role, role_collect, &l), want);
    return l;
}

#endif
