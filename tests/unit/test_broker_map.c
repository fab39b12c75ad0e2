/*
 * kgw_broker_map: broker id <-> gateway port for port mapping.
 */
#include <check.h>
#include <stdlib.h>

#include "broker_map.h"

START_TEST(bootstrap_at_start_maps_ids_after_the_first_port)
{
    const uint16_t ports[] = {19092, 19093, 19094, 19095};
    kgw_broker_map_t *m = kgw_broker_map_new(ports, 4, true, "gw.example.com", 0);
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(m->bootstrap_port, 19092);
    ck_assert_uint_eq(m->first_broker_port, 19093);
    ck_assert_str_eq(m->advertised_host, "gw.example.com");

    uint16_t port = 0;
    ck_assert(kgw_broker_map_port_for(m, 0, &port));
    ck_assert_uint_eq(port, 19093);
    ck_assert(kgw_broker_map_port_for(m, 2, &port));
    ck_assert_uint_eq(port, 19095);
    /* Broker 3 would need port 19096, which the listener does not have. */
    ck_assert(!kgw_broker_map_port_for(m, 3, &port));
    ck_assert(!kgw_broker_map_port_for(m, -1, &port));

    int32_t id = -7;
    ck_assert_int_eq(kgw_broker_map_role_of(m, 19092, &id), KGW_PORT_BOOTSTRAP);
    ck_assert_int_eq(kgw_broker_map_role_of(m, 19094, &id), KGW_PORT_BROKER);
    ck_assert_int_eq(id, 1);
    ck_assert_int_eq(kgw_broker_map_role_of(m, 20000, &id), KGW_PORT_UNMAPPED);
    kgw_broker_map_free(m);
}
END_TEST

START_TEST(min_broker_id_shifts_the_mapping)
{
    const uint16_t ports[] = {9092, 9093, 9094, 9095};
    kgw_broker_map_t *m = kgw_broker_map_new(ports, 4, true, "localhost", 1);
    ck_assert_ptr_nonnull(m);
    uint16_t port = 0;
    ck_assert(!kgw_broker_map_port_for(m, 0, &port)); /* below min_broker_id */
    ck_assert(kgw_broker_map_port_for(m, 1, &port));
    ck_assert_uint_eq(port, 9093);
    ck_assert(kgw_broker_map_port_for(m, 3, &port));
    ck_assert_uint_eq(port, 9095);
    int32_t id = 0;
    ck_assert_int_eq(kgw_broker_map_role_of(m, 9095, &id), KGW_PORT_BROKER);
    ck_assert_int_eq(id, 3);
    kgw_broker_map_free(m);
}
END_TEST

START_TEST(bootstrap_none_makes_every_port_a_broker_port)
{
    const uint16_t ports[] = {39092, 39093, 39094};
    kgw_broker_map_t *m = kgw_broker_map_new(ports, 3, false, "localhost", 1);
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(m->bootstrap_port, 0);
    int32_t id = 0;
    ck_assert_int_eq(kgw_broker_map_role_of(m, 39092, &id), KGW_PORT_BROKER);
    ck_assert_int_eq(id, 1);
    uint16_t port = 0;
    ck_assert(kgw_broker_map_port_for(m, 3, &port));
    ck_assert_uint_eq(port, 39094);
    kgw_broker_map_free(m);
}
END_TEST

START_TEST(a_single_bootstrap_port_maps_no_broker)
{
    const uint16_t ports[] = {9092};
    kgw_broker_map_t *m = kgw_broker_map_new(ports, 1, true, "localhost", 0);
    ck_assert_ptr_nonnull(m);
    uint16_t port = 0;
    ck_assert(!kgw_broker_map_port_for(m, 0, &port));
    int32_t id = 0;
    ck_assert_int_eq(kgw_broker_map_role_of(m, 9092, &id), KGW_PORT_BOOTSTRAP);
    kgw_broker_map_free(m);
}
END_TEST

START_TEST(ids_whose_port_is_not_listed_are_unmapped)
{
    /* Non-contiguous ports: 9200 is broker 100, 9150 is nobody's. */
    const uint16_t ports[] = {9092, 9100, 9200};
    kgw_broker_map_t *m = kgw_broker_map_new(ports, 3, true, "localhost", 0);
    ck_assert_ptr_nonnull(m);
    uint16_t port = 0;
    ck_assert(kgw_broker_map_port_for(m, 100, &port));
    ck_assert_uint_eq(port, 9200);
    ck_assert(!kgw_broker_map_port_for(m, 50, &port));
    ck_assert(!kgw_broker_map_port_for(m, 70000, &port)); /* beyond port 65535 */
    kgw_broker_map_free(m);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("broker_map");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, bootstrap_at_start_maps_ids_after_the_first_port);
    tcase_add_test(tc, min_broker_id_shifts_the_mapping);
    tcase_add_test(tc, bootstrap_none_makes_every_port_a_broker_port);
    tcase_add_test(tc, a_single_bootstrap_port_maps_no_broker);
    tcase_add_test(tc, ids_whose_port_is_not_listed_are_unmapped);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
