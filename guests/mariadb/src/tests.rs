//! The connector's plans, statement by statement where a statement matters.

use super::*;
use hvrwasm_sdk::{LoadShape, testing};

#[test]
fn loads_with_load_data_by_default_and_parameter_arrays_on_request() {
    let options = testing::options(TargetStyle::ReplicationCopy);
    let refresh = MariaDb::plan_refresh(&testing::orders_refresh_table(), &options).unwrap();
    assert_eq!(
        refresh.load.shape,
        LoadShape::MariadbLoadData {
            table: "`orders`".into(),
            columns: vec!["`id`".into(), "`amount`".into()]
        }
    );
    let integrate = MariaDb::plan_integrate(&testing::orders_table(), &options).unwrap();
    assert!(matches!(
        &integrate.load.shape,
        LoadShape::MariadbLoadData { table, columns } if table == "`hvr_stage`" && columns.len() == 5
    ));
    let arrays = options.clone().extra("load", "parameter-arrays");
    let refresh = MariaDb::plan_refresh(&testing::orders_refresh_table(), &arrays).unwrap();
    assert!(matches!(refresh.load.shape, LoadShape::ParameterArray(_)));
    let unknown = options.extra("load", "bulk");
    assert!(MariaDb::plan_refresh(&testing::orders_refresh_table(), &unknown).is_err());
}

fn after(table: &hvrwasm_sdk::Table, style: TargetStyle) -> String {
    let plan = MariaDb::plan_integrate(table, &testing::options(style)).unwrap();
    plan.after.join(";\n")
}

#[test]
fn a_replication_copy_applies_changes_in_key_and_sequence_order_without_reducing() {
    let after = after(&testing::orders_table(), TargetStyle::ReplicationCopy);
    assert!(
        !after.contains("CREATE TEMPORARY TABLE `hvr_stage_last`"),
        "{after}"
    );
    assert!(
        after.contains("CREATE TEMPORARY TABLE `hvr_stage_deletes` (PRIMARY KEY (`id`))"),
        "{after}"
    );
    assert!(
        after.contains("s.`id` IS NOT NULL GROUP BY `id`"),
        "{after}"
    );
    assert!(
        after.contains("ORDER BY s.`id`, s.`hvr_stage_seq` ON DUPLICATE KEY UPDATE"),
        "{after}"
    );
    assert!(
        after.contains(
            "LEFT JOIN (SELECT `id`, `hvr_stage_seq` FROM `hvr_stage_deletes` GROUP BY `id`) d ON d.`id` = s.`id` \
             WHERE (d.`hvr_stage_seq` IS NULL OR d.`hvr_stage_seq` < s.`hvr_stage_seq`) AND"
        ),
        "{after}"
    );
    assert_eq!(after.matches("ON DUPLICATE KEY UPDATE").count(), 1);
    // The upsert fails rather than update a row another unique key matched.
    assert!(
        after.contains(
            "ON DUPLICATE KEY UPDATE `id` = IF(`orders`.`id` <=> VALUES(`id`), `orders`.`id`, \
             (SELECT 1 FROM (SELECT 1 UNION ALL SELECT 2) hvr_another_unique_key_matched)), "
        ),
        "{after}"
    );
}

#[test]
fn soft_delete_still_reduces_to_the_last_change_per_key() {
    let after = after(&testing::orders_table(), TargetStyle::SoftDelete);
    assert!(
        after.contains("CREATE TEMPORARY TABLE `hvr_stage_last`"),
        "{after}"
    );
    assert!(
        !after.contains("CREATE TEMPORARY TABLE `hvr_stage_deletes`"),
        "{after}"
    );
}

#[test]
fn the_stage_is_in_aria_unless_rejected_rows_are_set_aside() {
    let table = testing::orders_table();
    let stage = |options: &Options| {
        let plan = MariaDb::plan_integrate(&table, options).unwrap();
        plan.before
            .into_iter()
            .find(|s| s.starts_with("CREATE TEMPORARY TABLE `hvr_stage`"))
            .unwrap()
    };
    let options = testing::options(TargetStyle::ReplicationCopy);
    // The server's binary log settings choose the engine, set just before the stage.
    let plan = MariaDb::plan_integrate(&table, &options).unwrap();
    let at = |prefix: &str| {
        plan.before
            .iter()
            .position(|s| s.starts_with(prefix))
            .unwrap()
    };
    assert_eq!(
        at("SET @hvr_stage_engine = 0 /*M! , SESSION default_tmp_storage_engine = IF(") + 2,
        at("CREATE TEMPORARY TABLE `hvr_stage`")
    );
    assert!(stage(&options).contains(") SELECT "), "{}", stage(&options));
    assert!(plan.before[at("SET @hvr_stage_engine")].contains("'InnoDB', 'Aria')"));
    let setting_aside = options.setting_aside_rejected_rows();
    let transactional = stage(&setting_aside);
    assert!(
        transactional.contains(") ENGINE=InnoDB SELECT "),
        "{transactional}"
    );
    // The tables built after the load are InnoDB whatever the server's default.
    for style in [TargetStyle::SoftDelete, TargetStyle::ReplicationCopy] {
        let plan = MariaDb::plan_integrate(&table, &testing::options(style)).unwrap();
        for create in plan
            .after
            .iter()
            .filter(|s| s.starts_with("CREATE TEMPORARY TABLE"))
        {
            assert!(create.contains(" ENGINE=InnoDB SELECT "), "{create}");
        }
    }
}

#[test]
fn a_table_refresh_creates_is_innodb_and_an_existing_one_is_emptied() {
    use hvrwasm_sdk::TargetColumn;
    let options = testing::options(TargetStyle::ReplicationCopy);
    let plan = MariaDb::plan_refresh(&testing::orders_refresh_table(), &options).unwrap();
    assert!(
        plan.before[1].starts_with("CREATE TABLE `orders` (")
            && plan.before[1].ends_with(") ENGINE=InnoDB"),
        "{:?}",
        plan.before
    );
    let table = testing::orders_refresh_table().target_columns(vec![
        TargetColumn::new("id", "bigint").not_null(),
        TargetColumn::new("amount", "text"),
    ]);
    let existing = MariaDb::plan_refresh(&table, &options).unwrap();
    assert_eq!(existing.before[0], bulk::RESTORE_CHECKS);
    assert_eq!(existing.before[2], "DELETE FROM `orders` WHERE @hvr_filled");
    assert_eq!(existing.after, [bulk::RESTORE_CHECKS]);
    // Setting rejected rows aside keeps the plain DELETE and the session's checks.
    let mut aside = options.clone();
    aside.sets_aside_rejected_rows = true;
    let plain = MariaDb::plan_refresh(&table, &aside).unwrap();
    assert_eq!(plain.before[1..], ["DELETE FROM `orders`"]);
    let integrate = MariaDb::plan_integrate(&table, &options).unwrap();
    assert_eq!(integrate.before[0], bulk::RESTORE_CHECKS);
}

#[test]
fn a_text_key_is_indexed_by_a_prefix_in_the_deletes_table() {
    use hvrwasm_sdk::{Column, TargetColumn};
    let table = hvrwasm_sdk::Table::new("notes")
        .column(Column::data("code").key())
        .column(Column::data("body"))
        .column(Column::op("op_type"))
        .target_columns(vec![
            TargetColumn::new("code", "mediumtext").not_null(),
            TargetColumn::new("body", "text"),
        ]);
    let after = after(&table, TargetStyle::ReplicationCopy);
    assert!(after.contains("(INDEX (`code`(191)))"), "{after}");
    // Long keys are sorted whole, and one too long to be is refused.
    assert!(
        after.starts_with("SET SESSION max_sort_length = 131072"),
        "{after}"
    );
    assert!(
        after.contains("IF(MAX(COALESCE(CHAR_LENGTH(`code`), 0)) > 16384"),
        "{after}"
    );
    // A NULL among the deletes' keys would make NOT IN unknown for every other change.
    assert!(
        after.contains("s.`code` IS NOT NULL GROUP BY `code`"),
        "{after}"
    );
}

#[test]
fn a_cycle_that_changes_each_key_once_skips_the_per_key_work_and_keeps_the_load() {
    let table = testing::orders_table();
    let general = testing::options(TargetStyle::ReplicationCopy);
    let plain = MariaDb::plan_integrate(&table, &general).unwrap();
    let once = MariaDb::plan_integrate(&table, &general.clone().each_key_once()).unwrap();
    // Only `after` may differ: the host picks it after the load.
    assert_eq!(once.before, plain.before);
    assert_eq!(once.load, plain.load);
    let after = once.after.join(";\n");
    assert_ne!(once.after, plain.after);
    for skipped in [
        "@hvr_truncated_at",
        "hvr_stage_deletes` (",
        "hvr_stage_multi` ",
        "LEFT JOIN",
    ] {
        assert!(!after.contains(skipped), "{skipped}: {after}");
    }
    assert!(
        after.contains("DELETE t FROM `orders` t JOIN `hvr_stage` s ON t.`id` = s.`id` WHERE s.`hvr_stage_op` = 0"),
        "{after}"
    );
    assert!(
        after.contains(
            "WHERE NOT (s.`hvr_stage_op` = 0) ORDER BY s.`id` ON DUPLICATE KEY UPDATE `id` = IF("
        ),
        "{after}"
    );
    // The temporary tables are dropped as in the general plan.
    assert!(
        after.ends_with("DROP TEMPORARY TABLE IF EXISTS `hvr_stage`"),
        "{after}"
    );
}

#[test]
fn soft_delete_answers_the_same_plan_when_each_key_changes_once() {
    // SoftDelete marks a delete only on a row the target has: it keeps its reduction.
    let table = testing::orders_table();
    let general = testing::options(TargetStyle::SoftDelete);
    assert_eq!(
        MariaDb::plan_integrate(&table, &general.clone().each_key_once()).unwrap(),
        MariaDb::plan_integrate(&table, &general).unwrap(),
    );
}
